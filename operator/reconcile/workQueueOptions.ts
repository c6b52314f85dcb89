import type { BackoffOptions } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import type { Reconciler } from './reconciler.js';

/**
 * Receives every failed attempt; the queue itself never logs. `attempt` counts consecutive
 * failures of `key` (1 for the first). `retryInMs` is when the key runs next, or undefined
 * when the queue is stopping and will not run it again.
 */
export type ReconcileErrorHandler = (
  key: string,
  error: Error,
  attempt: number,
  retryInMs: number | undefined,
) => void;

export interface WorkQueueOptions {
  readonly reconciler: Reconciler;
  readonly onError: ReconcileErrorHandler;
  /** Default: the system clock. Tests pass a fake one. */
  readonly clock?: Clock;
  /** How long a key waits after its first add, so a burst of events becomes one run. Default 20. */
  readonly coalesceMs?: number;
  /**
   * Keys reconciled at once; one key never runs twice at once. Default 1, as in
   * controller-runtime: reconciles of different keys may still share a proxy and its reload.
   */
  readonly concurrency?: number;
  /** First retry delay after a failure; doubles on each further failure. Default 100. */
  readonly baseDelayMs?: number;
  /** Cap on the retry delay. Default 30 000. */
  readonly maxDelayMs?: number;
  /** Fraction of each retry delay to randomise, 0 to 1. Default 0, so delays are deterministic. */
  readonly jitter?: number;
  /** Source of randomness for jitter. Default Math.random. */
  readonly random?: () => number;
}

/** The options with every default filled in, checked once so the queue can trust them. */
export interface WorkQueueSettings {
  readonly reconciler: Reconciler;
  readonly onError: ReconcileErrorHandler;
  readonly clock: Clock;
  readonly coalesceMs: number;
  readonly concurrency: number;
  readonly backoff: BackoffOptions;
}

export function resolveOptions(options: WorkQueueOptions): WorkQueueSettings {
  const settings: WorkQueueSettings = {
    reconciler: options.reconciler,
    onError: options.onError,
    clock: options.clock ?? systemClock,
    coalesceMs: options.coalesceMs ?? 20,
    concurrency: options.concurrency ?? 1,
    backoff: {
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      jitter: options.jitter ?? 0,
      random: options.random ?? Math.random,
    },
  };
  check(settings);
  return settings;
}

// The negated comparisons also reject NaN, which every plain comparison lets through.
function check({ coalesceMs, concurrency, backoff }: WorkQueueSettings): void {
  if (!(coalesceMs >= 0)) throw new RangeError(`coalesceMs must be >= 0, got ${coalesceMs}`);
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  if (!(backoff.baseDelayMs > 0)) throw new RangeError(`baseDelayMs must be > 0, got ${backoff.baseDelayMs}`);
  if (!(backoff.maxDelayMs >= backoff.baseDelayMs)) {
    throw new RangeError(`maxDelayMs must be >= baseDelayMs, got ${backoff.maxDelayMs}`);
  }
  if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) {
    throw new RangeError(`jitter must be within 0..1, got ${backoff.jitter}`);
  }
}
