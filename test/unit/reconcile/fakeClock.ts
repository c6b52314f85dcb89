import type { Clock, Timer } from '../../../operator/reconcile/index.js';

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Lets promise chains started so far run to completion: microtasks all drain before setImmediate. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when told. advance() fires due timers one at a time, in deadline
 * order (ties in the order they were set), and settles after each, so work a timer starts
 * (a reconcile, a retry it schedules) happens at that timer's time, as it would for real.
 */
export class FakeClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers: PendingTimer[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const timer: PendingTimer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback };
    this.#timers.push(timer);
    return { cancel: () => void (this.#timers = this.#timers.filter((t) => t !== timer)) };
  }

  /** Timers set and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (let next = this.#due(target); next !== undefined; next = this.#due(target)) {
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.at;
      next.callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  #due(target: number): PendingTimer | undefined {
    let earliest: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.at > target) continue;
      if (earliest === undefined || t.at < earliest.at || (t.at === earliest.at && t.seq < earliest.seq))
        earliest = t;
    }
    return earliest;
  }
}
