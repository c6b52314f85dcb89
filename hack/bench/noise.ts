/**
 * Other jobs share this machine. "Foreign CPU" is the CPU time the whole machine spent in user,
 * system and steal time (from /proc/stat) minus what the bench's own process tree spent (itself,
 * the controller, the proxies, the backend, wrk: utime+stime of every live descendant plus the
 * cutime+cstime of those already reaped). The machine's irq and softirq time count as busy: this
 * kernel charges loopback packet processing to the process that caused it as well, so leaving
 * them out would make the bench's own traffic look like someone else's.
 *
 * As in the propagation-floor note, a measurement waits for a quiet window first and is
 * repeated when other jobs used more than max(20 ms, 5 % of its wall time) while it ran.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { now, sleep } from './clock.js';

/** Linux reports CPU times in clock ticks of 10 ms (USER_HZ 100). */
const TICK_MS = 10;

export interface CpuSnapshot {
  readonly t: number;
  readonly busyMs: number;
  readonly oursMs: number;
}

function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0) * TICK_MS;
}

function treeMs(root: number): number {
  const parents = new Map<number, number>();
  const times = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      // utime, stime, cutime, cstime: fields 14–17 of stat, 11–14 after the command name.
      times.set(
        Number(entry),
        [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0),
      );
    } catch {
      // Exited while we read.
    }
  }
  let total = 0;
  for (const [pid, ticks] of times) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p)) {
      if (p === root) {
        total += ticks;
        break;
      }
    }
  }
  return total * TICK_MS;
}

export function cpuSnapshot(): CpuSnapshot {
  return { t: now(), busyMs: machineBusyMs(), oursMs: treeMs(process.pid) };
}

/** CPU ms used outside the bench's process tree between two snapshots. */
export function foreignMs(from: CpuSnapshot, to: CpuSnapshot): number {
  return Math.max(0, to.busyMs - from.busyMs - (to.oursMs - from.oursMs));
}

/** Whether other jobs disturbed a measurement that ran between the two snapshots. */
export function disturbed(from: CpuSnapshot, to: CpuSnapshot): boolean {
  return foreignMs(from, to) > Math.max(20, 0.05 * (to.t - from.t));
}

/**
 * Wait until a 500 ms window passes in which other jobs used under 20 ms of CPU, or `maxWaitMs`
 * passes. Resolves how long it waited.
 */
export async function waitQuiet(maxWaitMs: number): Promise<number> {
  const start = now();
  for (;;) {
    const from = cpuSnapshot();
    await sleep(500);
    if (foreignMs(from, cpuSnapshot()) < 20 || now() - start > maxWaitMs) return now() - start;
  }
}

export interface Quiet<T> {
  readonly value: T;
  /** Foreign CPU ms during the kept attempt. */
  readonly foreignMs: number;
  /** Attempts discarded because other jobs used the CPU. */
  readonly discarded: number;
  /** True when even the last attempt was disturbed. */
  readonly disturbed: boolean;
}

/**
 * Run `measure` after a quiet window; repeat it (at most `retries` times) while other jobs
 * disturbed it. The last attempt is kept either way, flagged.
 */
export async function measureQuietly<T>(
  measure: () => Promise<T>,
  options: { retries: number; maxWaitMs: number },
): Promise<Quiet<T>> {
  for (let attempt = 0; ; attempt += 1) {
    await waitQuiet(options.maxWaitMs);
    const from = cpuSnapshot();
    const value = await measure();
    const to = cpuSnapshot();
    const noisy = disturbed(from, to);
    if (!noisy || attempt >= options.retries)
      return { value, foreignMs: foreignMs(from, to), discarded: attempt, disturbed: noisy };
  }
}

/** `foreign` ms over `wallMs` as a share of one CPU. */
export function cpuShare(foreign: number, wallMs: number): number {
  return wallMs > 0 ? foreign / wallMs : 0;
}
