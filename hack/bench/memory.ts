/**
 * Memory figures from procfs. RSS is `VmRSS` (what the targets name), PSS is `Pss` from
 * `smaps_rollup`: RSS counts pages a worker shares with its master twice, PSS splits them.
 */
import { readFileSync } from 'node:fs';
import { childPids } from './processes.js';

const MIB = 1024;

function statusField(pid: number, field: string): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) / MIB : undefined;
  } catch {
    return undefined;
  }
}

/** VmRSS of `pid` in MiB, undefined when it is gone. */
export function rssMiB(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

/** VmHWM (peak RSS since the process started) of `pid` in MiB. */
export function peakRssMiB(pid: number): number | undefined {
  return statusField(pid, 'VmHWM');
}

export function pssMiB(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) / MIB : undefined;
  } catch {
    return undefined;
  }
}

export interface ProxyMemory {
  readonly masterMiB: number;
  /** RSS of each worker (old ones still draining included), largest first. */
  readonly workersMiB: readonly number[];
  readonly totalMiB: number;
  readonly totalPssMiB: number;
  readonly processes: number;
}

/** RSS of a proxy master and every child it has right now. */
export function proxyMemory(masterPid: number): ProxyMemory {
  const master = rssMiB(masterPid) ?? 0;
  const children = childPids(masterPid);
  const workers = children.map((pid) => rssMiB(pid) ?? 0).sort((a, b) => b - a);
  const pss = [masterPid, ...children].map((pid) => pssMiB(pid) ?? 0);
  return {
    masterMiB: master,
    workersMiB: workers,
    totalMiB: master + workers.reduce((a, b) => a + b, 0),
    totalPssMiB: pss.reduce((a, b) => a + b, 0),
    processes: 1 + children.length,
  };
}

/** Samples proxyMemory every `intervalMs` until stopped; keeps the peaks. */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  peakTotalMiB = 0;
  peakWorkerMiB = 0;
  peakMasterMiB = 0;
  peakProcesses = 0;

  constructor(private readonly masterPid: () => number | undefined) {}

  start(intervalMs = 10): this {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const pid = this.masterPid();
    if (pid === undefined) return;
    const memory = proxyMemory(pid);
    this.peakTotalMiB = Math.max(this.peakTotalMiB, memory.totalMiB);
    this.peakWorkerMiB = Math.max(this.peakWorkerMiB, memory.workersMiB[0] ?? 0);
    this.peakMasterMiB = Math.max(this.peakMasterMiB, memory.masterMiB);
    this.peakProcesses = Math.max(this.peakProcesses, memory.processes);
  }
}
