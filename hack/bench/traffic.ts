/**
 * Load while something changes (S3, S6): wrk on keep-alive connections and a probe on new
 * connections run for a bounded time while `change` runs, starting one second after them so
 * that both are at full speed before the first change.
 */
import { sleep } from './clock.js';
import type { BenchContext } from './context.js';
import { LISTENER_PORT } from './manifests.js';
import { ProbeLoop, type ProbeTally } from './probe.js';
import { runWrk, type WrkResult } from './wrk.js';

export const TRAFFIC_CONNECTIONS = 16;
export const TRAFFIC_PROBE_INTERVAL_MS = 10;
const LEAD_MS = 1000;

export interface UnderLoad {
  readonly wrk: WrkResult;
  readonly probe: ProbeTally;
}

export interface UnderLoadOptions {
  readonly address: string;
  /** Host wrk loads (keep-alive). */
  readonly loadHost: string;
  /** Host the probe asks (a new connection per request). */
  readonly probeHost: string;
  /** How long `change` takes; wrk runs this plus 1 s before and 1 s after. */
  readonly changeS: number;
  readonly change: () => Promise<void>;
}

export async function underLoad(context: BenchContext, options: UnderLoadOptions): Promise<UnderLoad> {
  const durationS = Math.ceil(options.changeS + (2 * LEAD_MS) / 1000);
  const wrk = runWrk(context.processes, {
    url: `http://${options.address}:${LISTENER_PORT}/`,
    host: options.loadHost,
    durationS,
    connections: TRAFFIC_CONNECTIONS,
    cpus: context.cpus.load,
  });
  // Handled below; this only keeps an early failure of `change` from leaving it unobserved.
  wrk.catch(() => undefined);
  const probe = new ProbeLoop(
    { address: options.address, port: LISTENER_PORT, host: options.probeHost },
    TRAFFIC_PROBE_INTERVAL_MS,
  ).start();
  let tally: ProbeTally | undefined;
  try {
    await sleep(LEAD_MS);
    await options.change();
    // wrk ends on its own (-d); the probe stops with it.
    await wrk.catch(() => undefined);
  } finally {
    tally = await probe.stop();
  }
  return { wrk: await wrk, probe: tally };
}

export function failureSummary(tally: ProbeTally): string {
  const entries = Object.entries(tally.failures);
  return entries.length === 0 ? '0' : entries.map(([what, n]) => `${n}× ${what}`).join(', ');
}
