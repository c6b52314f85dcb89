import { expect } from 'chai';
import { WorkQueue, type ReconcileResult, type WorkQueueOptions } from '../../../operator/reconcile/index.js';
import { FakeClock, settle } from './fakeClock.js';

type Behaviour = (
  key: string,
  signal: AbortSignal,
  clock: FakeClock,
) => Promise<ReconcileResult> | ReconcileResult;

interface Failure {
  readonly key: string;
  readonly error: Error;
  readonly attempt: number;
  readonly retryInMs: number | undefined;
}

/** A queue on a fake clock whose reconciler records each run and how many ran at once. */
function setup(behave: Behaviour = () => ({}), options: Partial<WorkQueueOptions> = {}) {
  const clock = new FakeClock();
  const runs: { key: string; at: number }[] = [];
  const failures: Failure[] = [];
  const inFlight = new Map<string, number>();
  let maxInFlightPerKey = 0;
  const queue = new WorkQueue({
    clock,
    onError: (key, error, attempt, retryInMs) => failures.push({ key, error, attempt, retryInMs }),
    reconciler: {
      async reconcile(key, signal) {
        runs.push({ key, at: clock.now() });
        const now = (inFlight.get(key) ?? 0) + 1;
        inFlight.set(key, now);
        maxInFlightPerKey = Math.max(maxInFlightPerKey, now);
        try {
          return await behave(key, signal, clock);
        } finally {
          inFlight.set(key, now - 1);
        }
      },
    },
    ...options,
  });
  return { clock, queue, runs, failures, maxInFlightPerKey: () => maxInFlightPerKey };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

/** Resolves after `ms` of fake time, for reconciles that take a while. */
function sleep(clock: FakeClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

function alwaysFail(): never {
  throw new Error('backend unreachable');
}

describe('WorkQueue', () => {
  it('refuses options that would make it misbehave', () => {
    const base = { reconciler: { reconcile: () => Promise.resolve({}) }, onError: () => undefined };
    expect(() => new WorkQueue({ ...base, coalesceMs: -1 })).to.throw(RangeError, 'coalesceMs');
    expect(() => new WorkQueue({ ...base, concurrency: 0 })).to.throw(RangeError, 'concurrency');
    expect(() => new WorkQueue({ ...base, baseDelayMs: Number.NaN })).to.throw(RangeError, 'baseDelayMs');
    expect(() => new WorkQueue({ ...base, baseDelayMs: 500, maxDelayMs: 100 })).to.throw(
      RangeError,
      'maxDelayMs',
    );
    expect(() => new WorkQueue({ ...base, jitter: 2 })).to.throw(RangeError, 'jitter');
  });

  describe('coalescing', () => {
    it('runs a key once for a burst of adds within the coalescing window', async () => {
      const { clock, queue, runs } = setup();
      for (let i = 0; i < 100; i++) queue.add('a');
      await clock.advance(19);
      expect(runs).to.deep.equal([]);
      await clock.advance(1);
      await clock.advance(1000);
      expect(runs).to.deep.equal([{ key: 'a', at: 20 }]);
    });

    it('measures the coalescing window from the first add, not the last', async () => {
      const { clock, queue, runs } = setup();
      queue.add('a');
      await clock.advance(15);
      queue.add('a');
      await clock.advance(100);
      expect(runs).to.deep.equal([{ key: 'a', at: 20 }]);
    });

    it('runs a key without waiting when coalesceMs is 0', async () => {
      const { queue, runs } = setup(undefined, { coalesceMs: 0 });
      queue.add('a');
      await settle();
      expect(runs).to.deep.equal([{ key: 'a', at: 0 }]);
    });
  });

  describe('one run per key', () => {
    it('runs a key added during its own run exactly once more after that run', async () => {
      const release = deferred();
      let calls = 0;
      const { clock, queue, runs, maxInFlightPerKey } = setup(() =>
        ++calls === 1 ? release.promise.then(() => ({})) : {},
      );
      queue.add('a');
      await clock.advance(20);
      for (let i = 0; i < 5; i++) queue.add('a');
      await clock.advance(100);
      expect(runs).to.have.length(1);
      release.resolve();
      await clock.advance(1000);
      expect(runs).to.have.length(2);
      expect(maxInFlightPerKey()).to.equal(1);
    });

    it('runs the follow-up once the window opened by the add during the run has passed', async () => {
      const { clock, queue, runs } = setup((_key, _signal, c) => sleep(c, 10).then(() => ({})));
      queue.add('a');
      await clock.advance(25);
      queue.add('a'); // at 25, while the run from 20 to 30 is going
      await clock.advance(1000);
      expect(runs.map((r) => r.at)).to.deep.equal([20, 45]);
    });

    it('never runs one key twice at once, even with idle workers', async () => {
      const { clock, queue, runs, maxInFlightPerKey } = setup(
        (_key, _signal, c) => sleep(c, 30).then(() => ({})),
        {
          concurrency: 4,
        },
      );
      for (let i = 0; i < 50; i++) {
        queue.add('a');
        await clock.advance(7);
      }
      await clock.advance(1000);
      expect(runs.length).to.be.greaterThan(5);
      expect(maxInFlightPerKey()).to.equal(1);
    });
  });

  describe('ordering and concurrency', () => {
    it('runs different keys at once up to the concurrency limit', async () => {
      const release = deferred();
      const { clock, queue, runs } = setup(() => release.promise.then(() => ({})), { concurrency: 2 });
      queue.add('a');
      queue.add('b');
      queue.add('c');
      expect(queue.size).to.equal(3);
      await clock.advance(20);
      expect(runs.map((r) => r.key)).to.deep.equal(['a', 'b']);
      expect(queue.running).to.equal(2);
      expect(queue.size).to.equal(1);
      release.resolve();
      await clock.advance(0);
      expect(runs.map((r) => r.key)).to.deep.equal(['a', 'b', 'c']);
      expect(queue.running).to.equal(0);
      expect(queue.size).to.equal(0);
    });

    it('runs keys in the order they become runnable', async () => {
      const { clock, queue, runs } = setup((_key, _signal, c) => sleep(c, 10).then(() => ({})));
      queue.add('b');
      await clock.advance(5);
      queue.add('a');
      await clock.advance(1);
      queue.add('c');
      queue.add('b'); // already pending: keeps its place rather than moving behind c
      await clock.advance(1000);
      expect(runs).to.deep.equal([
        { key: 'b', at: 20 },
        { key: 'a', at: 30 },
        { key: 'c', at: 40 },
      ]);
    });
  });

  describe('failures and backoff', () => {
    it('retries after delays that double from baseDelayMs and cap at maxDelayMs', async () => {
      const { clock, queue, runs, failures } = setup(alwaysFail, { maxDelayMs: 1000 });
      queue.add('a');
      await clock.advance(3520);
      expect(failures.map((f) => f.retryInMs)).to.deep.equal([100, 200, 400, 800, 1000, 1000, 1000]);
      expect(runs.map((r) => r.at)).to.deep.equal([20, 120, 320, 720, 1520, 2520, 3520]);
    });

    it('reports each failure with its key, error and consecutive attempt number', async () => {
      const { clock, queue, failures } = setup(alwaysFail);
      queue.add('a');
      await clock.advance(320);
      expect(failures.map((f) => [f.key, f.error.message, f.attempt])).to.deep.equal([
        ['a', 'backend unreachable', 1],
        ['a', 'backend unreachable', 2],
        ['a', 'backend unreachable', 3],
      ]);
    });

    it('resets the backoff to baseDelayMs after a success', async () => {
      let calls = 0;
      // Fails at 20 and 120, succeeds at 320 asking to run again at 1320, then fails again.
      const { clock, queue, failures } = setup(() => {
        calls += 1;
        return calls === 3 ? { requeueAfterMs: 1000 } : alwaysFail();
      });
      queue.add('a');
      await clock.advance(1320);
      expect(failures.map((f) => [f.attempt, f.retryInMs])).to.deep.equal([
        [1, 100],
        [2, 200],
        [1, 100],
      ]);
    });

    it('runs a key after the coalescing window when it is added while waiting to retry', async () => {
      const { clock, queue, runs, failures } = setup(alwaysFail, { baseDelayMs: 1000 });
      queue.add('a');
      await clock.advance(100); // failed at 20; retry due at 1020
      queue.add('a');
      await clock.advance(20);
      expect(runs.map((r) => r.at)).to.deep.equal([20, 120]);
      expect(failures.map((f) => f.retryInMs)).to.deep.equal([1000, 2000]); // failure count kept
    });

    it('turns a thrown non-Error value into an Error that names it', async () => {
      const { clock, queue, failures } = setup(() => {
        throw 'disk on fire'; // eslint-disable-line @typescript-eslint/only-throw-error
      });
      queue.add('a');
      await clock.advance(20);
      expect(failures[0]!.error).to.be.instanceOf(Error);
      expect(failures[0]!.error.message).to.include('disk on fire');
      expect(failures[0]!.error.cause).to.equal('disk on fire');
    });

    it('passes a thrown Error through unchanged so callers can match its type', async () => {
      class RefNotPermitted extends Error {}
      const thrown = new RefNotPermitted('no ReferenceGrant');
      const { clock, queue, failures } = setup(() => {
        throw thrown;
      });
      queue.add('a');
      await clock.advance(20);
      expect(failures[0]!.error).to.equal(thrown);
    });

    it('runs a key added during a failed run once its window has passed, not after the backoff', async () => {
      const { clock, queue, runs, failures } = setup((_key, _signal, c) => sleep(c, 10).then(alwaysFail), {
        baseDelayMs: 1000,
      });
      queue.add('a');
      await clock.advance(25);
      queue.add('a'); // at 25, while the run from 20 to 30 is going
      await clock.advance(20);
      expect(runs.map((r) => r.at)).to.deep.equal([20, 45]);
      expect(failures[0]!.retryInMs).to.equal(15);
    });

    it('treats a synchronous throw from reconcile as a failure', async () => {
      const clock = new FakeClock();
      const attempts: number[] = [];
      const queue = new WorkQueue({
        clock,
        onError: (_key, _error, attempt) => attempts.push(attempt),
        reconciler: {
          reconcile: () => {
            throw new Error('not async');
          },
        },
      });
      queue.add('a');
      await clock.advance(120);
      expect(attempts).to.deep.equal([1, 2]);
    });

    it('treats an invalid requeueAfterMs as a failure', async () => {
      const { clock, queue, failures } = setup(() => ({ requeueAfterMs: -5 }));
      queue.add('a');
      await clock.advance(20);
      expect(failures[0]!.error.message).to.include('requeueAfterMs -5');
      expect(failures[0]!.retryInMs).to.equal(100);
    });
  });

  describe('requeueAfterMs', () => {
    it('runs a key again after the requeueAfterMs its reconcile returned', async () => {
      let calls = 0;
      const { clock, queue, runs } = setup(() => (++calls === 1 ? { requeueAfterMs: 500 } : {}));
      queue.add('a');
      await clock.advance(10_000);
      expect(runs.map((r) => r.at)).to.deep.equal([20, 520]);
      expect(clock.pendingTimers).to.equal(0);
    });
  });

  describe('stop', () => {
    it('aborts the signal of running reconciles and resolves once they settle', async () => {
      const release = deferred();
      let seen: AbortSignal | undefined;
      const { clock, queue } = setup(async (_key, signal) => {
        seen = signal;
        await release.promise;
        return {};
      });
      queue.add('a');
      await clock.advance(20);
      let stopped = false;
      const stopping = queue.stop().then(() => (stopped = true));
      await settle();
      expect(seen?.aborted).to.equal(true);
      expect(stopped).to.equal(false);
      release.resolve();
      await stopping;
      expect(queue.running).to.equal(0);
    });

    it('drops waiting keys and timers and ignores adds after stop', async () => {
      const { clock, queue, runs } = setup();
      queue.add('a');
      await queue.stop();
      queue.add('b');
      await clock.advance(10_000);
      expect(runs).to.deep.equal([]);
      expect(queue.size).to.equal(0);
      expect(clock.pendingTimers).to.equal(0);
    });

    it('reports a run that fails because of stop without scheduling a retry', async () => {
      const { clock, queue, failures } = setup(
        (_key, signal) =>
          new Promise((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new Error('aborted'))),
          ),
      );
      queue.add('a');
      await clock.advance(20);
      await queue.stop();
      expect(failures.map((f) => [f.attempt, f.retryInMs])).to.deep.equal([[1, undefined]]);
      expect(clock.pendingTimers).to.equal(0);
    });
  });

  describe('idle', () => {
    it('resolves at once when no key was added', async () => {
      const { queue } = setup();
      let idle = false;
      void queue.idle().then(() => (idle = true));
      await settle();
      expect(idle).to.equal(true);
    });

    it('waits for a failing key to succeed on its retry', async () => {
      let calls = 0;
      const { clock, queue } = setup(() => (++calls === 1 ? alwaysFail() : {}));
      queue.add('a');
      let idle = false;
      void queue.idle().then(() => (idle = true));
      await clock.advance(20); // first run fails; the retry counts as scheduled work
      expect(idle).to.equal(false);
      await clock.advance(100);
      expect(idle).to.equal(true);
    });
  });
});
