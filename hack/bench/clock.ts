/**
 * One clock for the bench and the controller it runs: epoch milliseconds with sub-millisecond
 * resolution. Both processes read the same wall clock, so a file write timed here and a render
 * timed in the controller process fall on one timeline.
 */
import { performance } from 'node:perf_hooks';

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
