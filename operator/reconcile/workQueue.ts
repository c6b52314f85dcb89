import PQueue from 'p-queue';
import { backoffDelay } from './backoff.js';
import type { Timer } from './clock.js';
import { toError } from './toError.js';
import { resolveOptions, type WorkQueueOptions, type WorkQueueSettings } from './workQueueOptions.js';

/**
 * Where a key is between its add and its settling. A key absent from the map is idle.
 * - coalescing: added, waiting out the coalescing window;
 * - queued: in p-queue, waiting for a worker;
 * - running: being reconciled; `addedDuringRunAt` records an add that arrived meanwhile;
 * - scheduled: waiting for a backoff retry or a requested requeue.
 */
interface KeyState {
  phase: 'coalescing' | 'queued' | 'running' | 'scheduled';
  timer: Timer | undefined;
  addedDuringRunAt: number | undefined;
  /** Consecutive failures; a success resets it, an add does not. */
  failures: number;
}

type Outcome =
  | { readonly ok: true; readonly requeueAfterMs: number | undefined }
  | { readonly ok: false; readonly error: Error };

/**
 * A pending-key set in front of p-queue. p-queue runs whatever it is given, so dedupe, the
 * one-run-per-key rule, coalescing and backoff all live here; p-queue only bounds concurrency
 * and keeps FIFO order among keys that have become runnable.
 */
export class WorkQueue {
  readonly #settings: WorkQueueSettings;
  readonly #queue: PQueue;
  readonly #keys = new Map<string, KeyState>();
  // One controller for all runs: stop() is the only cancellation, and it cancels everything.
  readonly #abort = new AbortController();
  #idleWaiters: Array<() => void> = [];
  #stopped: Promise<void> | undefined;

  constructor(options: WorkQueueOptions) {
    this.#settings = resolveOptions(options);
    this.#queue = new PQueue({ concurrency: this.#settings.concurrency });
  }

  /** Keys waiting to run: in their coalescing window or waiting for a worker. */
  get size(): number {
    return this.#count((phase) => phase === 'coalescing' || phase === 'queued');
  }

  /** Keys being reconciled right now. */
  get running(): number {
    return this.#count((phase) => phase === 'running');
  }

  /** Asks for `key` to be reconciled from current state. Ignored once stop() has been called. */
  add(key: string): void {
    if (this.#abort.signal.aborted) return;
    const state = this.#keys.get(key);
    if (state === undefined) {
      const fresh: KeyState = {
        phase: 'coalescing',
        timer: undefined,
        addedDuringRunAt: undefined,
        failures: 0,
      };
      this.#keys.set(key, fresh);
      this.#enqueueAfter(key, fresh, 'coalescing', this.#settings.coalesceMs);
      return;
    }
    switch (state.phase) {
      case 'coalescing':
      case 'queued':
        // The pending run has not read state yet, so it will see whatever this add announces.
        return;
      case 'running':
        // The running reconcile may have read state before this change: run once more after it.
        state.addedDuringRunAt ??= this.#settings.clock.now();
        return;
      case 'scheduled':
        // A new event is new information that may fix the failure (a Secret created, a Service
        // appearing), so it runs after the usual window rather than sitting out the backoff. The
        // failure count is kept: if the run fails again the backoff keeps growing.
        state.timer?.cancel();
        this.#enqueueAfter(key, state, 'coalescing', this.#settings.coalesceMs);
        return;
    }
  }

  /**
   * Resolves when no key is coalescing, queued, running or scheduled. Backoff retries and
   * requeueAfterMs runs count as scheduled, so a key that keeps failing or keeps asking to be
   * requeued holds idle() off until stop().
   */
  idle(): Promise<void> {
    if (this.#keys.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops accepting adds, cancels waiting keys and timers, aborts the signal running reconciles
   * were given, and resolves once they have settled. A reconcile that ignores its signal delays
   * this until it returns.
   */
  stop(): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#abort.abort();
    this.#queue.clear();
    for (const [key, state] of this.#keys) {
      if (state.phase === 'running') continue;
      state.timer?.cancel();
      this.#keys.delete(key);
    }
    this.#stopped = this.idle();
    return this.#stopped;
  }

  #count(predicate: (phase: KeyState['phase']) => boolean): number {
    let count = 0;
    for (const state of this.#keys.values()) if (predicate(state.phase)) count += 1;
    return count;
  }

  #enqueueAfter(key: string, state: KeyState, phase: 'coalescing' | 'scheduled', delayMs: number): void {
    if (delayMs <= 0) {
      this.#enqueue(key, state);
      return;
    }
    state.phase = phase;
    state.timer = this.#settings.clock.setTimeout(() => this.#enqueue(key, state), delayMs);
  }

  #enqueue(key: string, state: KeyState): void {
    state.phase = 'queued';
    state.timer = undefined;
    // #run catches every reconcile failure; it can only reject if onError itself throws, and
    // that caller bug should surface as an unhandled rejection rather than vanish here.
    void this.#queue.add(() => this.#run(key, state));
  }

  async #run(key: string, state: KeyState): Promise<void> {
    state.phase = 'running';
    state.addedDuringRunAt = undefined;
    const outcome = await this.#reconcile(key);
    if (this.#abort.signal.aborted) {
      // Stopping: nothing runs again, but a failure is still reported, never dropped.
      this.#keys.delete(key);
      this.#notifyIfIdle();
      if (!outcome.ok) this.#settings.onError(key, outcome.error, state.failures + 1, undefined);
      return;
    }
    if (outcome.ok) {
      this.#afterSuccess(key, state, outcome.requeueAfterMs);
      this.#notifyIfIdle();
      return;
    }
    this.#afterFailure(key, state, outcome.error);
  }

  async #reconcile(key: string): Promise<Outcome> {
    try {
      const { requeueAfterMs } = await this.#settings.reconciler.reconcile(key, this.#abort.signal);
      if (requeueAfterMs !== undefined && !(Number.isFinite(requeueAfterMs) && requeueAfterMs >= 0)) {
        return {
          ok: false,
          error: new Error(
            `reconcile returned requeueAfterMs ${requeueAfterMs}; expected a finite number >= 0`,
          ),
        };
      }
      return { ok: true, requeueAfterMs };
    } catch (thrown) {
      return { ok: false, error: toError(thrown) };
    }
  }

  #afterSuccess(key: string, state: KeyState, requeueAfterMs: number | undefined): void {
    state.failures = 0;
    // An add during the run wins over requeueAfterMs: it runs sooner, and that run's own
    // result decides the next requeue.
    if (state.addedDuringRunAt !== undefined) {
      this.#enqueueAfter(key, state, 'coalescing', this.#windowLeft(state.addedDuringRunAt));
    } else if (requeueAfterMs !== undefined) {
      this.#enqueueAfter(key, state, 'scheduled', requeueAfterMs);
    } else {
      this.#keys.delete(key);
    }
  }

  #afterFailure(key: string, state: KeyState, error: Error): void {
    state.failures += 1;
    // An add during the failed run is new information, as in add(): it runs once its window
    // has passed rather than after the backoff.
    const addedAt = state.addedDuringRunAt;
    const retryInMs =
      addedAt === undefined
        ? backoffDelay(state.failures, this.#settings.backoff)
        : this.#windowLeft(addedAt);
    this.#enqueueAfter(key, state, addedAt === undefined ? 'scheduled' : 'coalescing', retryInMs);
    this.#settings.onError(key, error, state.failures, retryInMs);
  }

  /** The rest of a coalescing window opened by an add at `addedAt` (zero if it has passed). */
  #windowLeft(addedAt: number): number {
    return Math.max(0, addedAt + this.#settings.coalesceMs - this.#settings.clock.now());
  }

  #notifyIfIdle(): void {
    if (this.#keys.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
