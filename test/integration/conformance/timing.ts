/**
 * The upstream suite's timeouts (reference §3.3, `DefaultTimeoutConfig` at v1.6.1) and its two
 * waiting primitives: polling a condition, and `AwaitConvergence` for traffic (§3.4).
 */

export const TIMEOUTS = {
  create: 60_000,
  delete: 10_000,
  gatewayMustHaveAddress: 180_000,
  gatewayMustHaveCondition: 180_000,
  gatewayStatusMustHaveListeners: 60_000,
  gatewayListenersMustHaveConditions: 60_000,
  gatewayClassMustBeAccepted: 180_000,
  httpRouteMustNotHaveParents: 60_000,
  httpRouteMustHaveCondition: 60_000,
  routeMustHaveParents: 60_000,
  maxTimeToConsistency: 30_000,
  namespacesMustBeReady: 300_000,
  request: 10_000,
  latestObservedGenerationSet: 60_000,
  defaultPollInterval: 100,
  requiredConsecutiveSuccesses: 3,
} as const;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a poll found: done (with a value), not yet (with why), or a failure that must not be retried. */
export type PollResult<T> =
  | { readonly done: true; readonly value: T }
  | { readonly done: false; readonly why: string; readonly fatal?: boolean };

export const done = <T>(value: T): PollResult<T> => ({ done: true, value });
export const notYet = (why: string): PollResult<never> => ({ done: false, why });
/** Upstream's poll functions can return an error, which ends the wait at once (e.g. stale conditions). */
export const fatal = (why: string): PollResult<never> => ({ done: false, why, fatal: true });

/**
 * `wait.PollUntilContextTimeout` with immediate first check: probe every `intervalMs` until done,
 * a fatal result, or `timeoutMs`. The error names what was awaited and the last reason it was not.
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<PollResult<T>>,
  timeoutMs: number,
  intervalMs: number = TIMEOUTS.defaultPollInterval,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result.done) return result.value;
    if (result.fatal) throw new Error(`${what}: ${result.why}`);
    if (Date.now() + intervalMs > deadline)
      throw new Error(`${what}: not within ${timeoutMs / 1000} s; last seen: ${result.why}`);
    await sleep(intervalMs);
  }
}

/**
 * `AwaitConvergence` (reference §3.4, v1.6.1): `attempt` must succeed `threshold` times in a row
 * within `maxMs`; a success is followed at once by the next attempt, a failure resets the streak
 * and waits 1 s. Written here rather than reusing test/support's `eventually`, whose pause after
 * a failure is 100 ms: v1.6.1's 1 s pause leaves fewer retries in the window, and the replay
 * should be no easier than upstream.
 */
export async function awaitConvergence(
  what: string,
  attempt: () => Promise<void>,
  threshold: number = TIMEOUTS.requiredConsecutiveSuccesses,
  maxMs: number = TIMEOUTS.maxTimeToConsistency,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  let streak = 0;
  let last = 'no attempt completed';
  for (;;) {
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not ${threshold} consecutive successes within ${maxMs / 1000} s; last failure: ${last}`,
      );
    try {
      await attempt();
      streak += 1;
      if (streak >= threshold) return;
    } catch (error) {
      streak = 0;
      last = error instanceof Error ? error.message : String(error);
      await sleep(Math.max(0, Math.min(1_000, deadline - Date.now())));
    }
  }
}
