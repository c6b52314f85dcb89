/** A scheduled callback that has not necessarily run yet. */
export interface Timer {
  /** Stops the callback from running; harmless once it has run or been cancelled. */
  cancel(): void;
}

/**
 * Time as the queue sees it. Injected so tests can step through coalescing windows and
 * backoff delays without waiting for them.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences are meaningful. */
  now(): number;
  /** Runs `callback` once, `delayMs` from now, unless the returned timer is cancelled first. */
  setTimeout(callback: () => void, delayMs: number): Timer;
}

export const systemClock: Clock = {
  // performance.now() is monotonic: a wall-clock step (NTP, a VM resuming) must not shrink a
  // coalescing window or stretch a backoff.
  now: () => performance.now(),
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
};
