export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Spreads each delay uniformly over ±`jitter` of itself (0 to 1), so that keys failing on
   * the same outage do not all retry in the same instant. 0 keeps delays exact.
   */
  readonly jitter: number;
  /** A source of numbers in [0, 1); only called when `jitter` is above 0. */
  readonly random: () => number;
}

/** Delay before retry number `attempt` (1 for the first failure): base × 2^(attempt−1), capped. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  // 2 ** n reaches Infinity past n = 1023; Math.min still caps it, so a key failing for days
  // keeps retrying at maxDelayMs instead of never.
  const exact = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  if (options.jitter === 0) return exact;
  const spread = exact * options.jitter * (options.random() * 2 - 1);
  return Math.min(options.maxDelayMs, Math.max(0, Math.round(exact + spread)));
}
