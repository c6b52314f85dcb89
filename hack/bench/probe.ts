/**
 * The probe of the propagation-floor note: every probe opens a new TCP connection, sends
 * `GET / HTTP/1.1` with the Host under test and `Connection: close`, and reads to EOF. Probes
 * start on a fixed schedule (start to start), whether or not the previous one has finished, and a
 * sample's time is when the response had been read completely.
 */
import net from 'node:net';
import { now } from './clock.js';

export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
  readonly host: string;
}

export interface ProbeResult {
  readonly startedAt: number;
  readonly endedAt: number;
  /** 0 for a socket error or a timeout. */
  readonly status: number;
  readonly error?: string;
}

export function probeOnce(target: ProbeTarget, timeoutMs = 2000): Promise<ProbeResult> {
  const startedAt = now();
  return new Promise((resolve) => {
    let head = '';
    let settled = false;
    const finish = (status: number, error?: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ startedAt, endedAt: now(), status, ...(error === undefined ? {} : { error }) });
    };
    const socket = net.connect({ host: target.address, port: target.port });
    socket.setTimeout(timeoutMs, () => finish(0, 'timeout'));
    socket.on('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\nUser-Agent: gateplane-bench\r\n\r\n`,
      ),
    );
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 64) head += chunk.toString('latin1', 0, Math.min(chunk.length, 64));
    });
    socket.on('end', () => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      finish(status ? Number(status[1]) : 0, status ? undefined : 'no status line');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(0, error.code ?? error.message));
  });
}

export interface Propagation {
  /** ms from t0 to the end of the first 200; undefined when none came before the timeout. */
  readonly firstOkMs: number | undefined;
  /** ms from t0 to the end of the first 200 after which every later-started probe got 200. */
  readonly stableMs: number | undefined;
  /** Probes started after the first 200 had been read that did not get a 200. */
  readonly failedAfterServed: number;
  readonly statusesAfterServed: Readonly<Record<string, number>>;
  /** Answers before the first 200 that were neither 404 (no route yet) nor 200. */
  readonly unexpectedBefore: number;
  readonly probes: number;
}

export interface PropagationOptions {
  /** Time of the trigger (clock.ts `now()`), the origin of every figure. */
  readonly t0: number;
  readonly intervalMs: number;
  /** How long to go on probing after the first 200, to catch an old worker still answering. */
  readonly settleMs: number;
  readonly timeoutMs: number;
}

/** Probe `target` every `intervalMs` until it has served for `settleMs`, or `timeoutMs` passes. */
export async function probeUntilServed(
  target: ProbeTarget,
  options: PropagationOptions,
): Promise<Propagation> {
  const results: ProbeResult[] = [];
  const inFlight = new Set<Promise<void>>();
  let firstOk: number | undefined;
  for (let tick = 0; ; tick += 1) {
    const due = options.t0 + tick * options.intervalMs;
    const wait = due - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const elapsed = now() - options.t0;
    if (firstOk !== undefined && now() > firstOk + options.settleMs) break;
    if (firstOk === undefined && elapsed > options.timeoutMs) break;
    const running = probeOnce(target).then((result) => {
      results.push(result);
      if (result.status === 200 && (firstOk === undefined || result.endedAt < firstOk))
        firstOk = result.endedAt;
    });
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  }
  await Promise.all(inFlight);
  return summarizePropagation(results, options.t0);
}

function summarizePropagation(results: readonly ProbeResult[], t0: number): Propagation {
  const ok = results.filter((r) => r.status === 200).sort((a, b) => a.endedAt - b.endedAt);
  const first = ok[0];
  const after = first ? results.filter((r) => r.startedAt > first.endedAt) : [];
  const failedAfter = after.filter((r) => r.status !== 200);
  const statuses: Record<string, number> = {};
  for (const r of failedAfter) {
    const key = r.status === 0 ? (r.error ?? 'error') : String(r.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  // Stable: the first 200 read after the last failure started.
  const lastFailure = Math.max(-Infinity, ...failedAfter.map((r) => r.startedAt));
  const stable = ok.find((r) => r.startedAt > lastFailure);
  const before = first ? results.filter((r) => r.endedAt < first.endedAt) : results;
  return {
    firstOkMs: first ? first.endedAt - t0 : undefined,
    stableMs: stable ? stable.endedAt - t0 : undefined,
    failedAfterServed: failedAfter.length,
    statusesAfterServed: statuses,
    unexpectedBefore: before.filter((r) => r.status !== 404 && r.status !== 200).length,
    probes: results.length,
  };
}

export interface ProbeTally {
  readonly total: number;
  readonly ok: number;
  /** Everything but 200, by status (`0` as the socket error's code). */
  readonly failures: Readonly<Record<string, number>>;
  /** When each failure started, ms from the loop's start. */
  readonly failureTimesMs: readonly number[];
}

/** A probe every `intervalMs` on new connections until stop(), counting answers. */
export class ProbeLoop {
  private stopped = false;
  private readonly results: ProbeResult[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private startedAt = 0;

  constructor(
    private readonly target: ProbeTarget,
    private readonly intervalMs: number,
  ) {}

  start(): this {
    this.startedAt = now();
    this.loop = this.run();
    return this;
  }

  private async run(): Promise<void> {
    for (let tick = 0; !this.stopped; tick += 1) {
      const wait = this.startedAt + tick * this.intervalMs - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.stopped) break;
      const running = probeOnce(this.target).then((result) => void this.results.push(result));
      this.inFlight.add(running);
      void running.finally(() => this.inFlight.delete(running));
    }
  }

  async stop(): Promise<ProbeTally> {
    this.stopped = true;
    await this.loop;
    await Promise.all(this.inFlight);
    const failures: Record<string, number> = {};
    const failureTimesMs: number[] = [];
    for (const r of this.results) {
      if (r.status === 200) continue;
      const key = r.status === 0 ? (r.error ?? 'error') : String(r.status);
      failures[key] = (failures[key] ?? 0) + 1;
      failureTimesMs.push(Math.round(r.startedAt - this.startedAt));
    }
    return {
      total: this.results.length,
      ok: this.results.filter((r) => r.status === 200).length,
      failures,
      failureTimesMs,
    };
  }
}
