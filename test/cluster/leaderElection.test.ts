import { expect } from 'chai';
import type { Clock, Timer } from '../../operator/reconcile/index.js';
import { LeaderElector, type LeaseClient } from '../../operator/reconcile/index.js';
import { clientNodeLeaseClient } from '../../operator/sources/kubernetes/index.js';
import { FakeKubeApi, kubeConfigFor, type JsonObject } from '../support/fakeKubeApi/index.js';

/**
 * A clock that moves only when told. The timers that fire are allowed to finish the work they
 * started (real HTTP requests to the fake API server) before time moves on.
 */
class SteppingClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: { at: number; seq: number; callback: () => void }[] = [];

  constructor(private readonly settle: () => Promise<unknown>) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.push(timer);
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Timers due at the same instant fire together, so candidates really race. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const at = Math.min(...this.timers.map((t) => t.at));
      if (!(at <= target)) break;
      const due = this.timers.filter((t) => t.at === at).sort((a, b) => a.seq - b.seq);
      this.timers = this.timers.filter((t) => t.at !== at);
      this.time = at;
      for (const timer of due) timer.callback();
      await this.settle();
    }
    this.time = target;
  }
}

/** A Lease client whose network can be cut. */
function partitionable(client: LeaseClient): LeaseClient & { cut: boolean } {
  const guard = <T>(call: () => Promise<T>): Promise<T> =>
    wrapper.cut ? Promise.reject(new Error('network unreachable')) : call();
  const wrapper = {
    cut: false,
    get: () => guard(() => client.get()),
    create: (spec: Parameters<LeaseClient['create']>[0]) => guard(() => client.create(spec)),
    update: (spec: Parameters<LeaseClient['update']>[0], rv: string) => guard(() => client.update(spec, rv)),
  };
  return wrapper;
}

const LEASE = { namespace: 'gateplane-system', name: 'gateplane-leader' };
const TIMING = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

describe('leader election over a Lease', () => {
  let api: FakeKubeApi;
  let clock: SteppingClock;
  let electors: Record<string, LeaderElector>;
  let clients: Record<string, LeaseClient & { cut: boolean }>;
  let transitions: string[];
  let leaders: Set<string>;
  let overlaps: number;

  function elector(identity: string): LeaderElector {
    clients[identity] = partitionable(clientNodeLeaseClient(kubeConfigFor(api), LEASE));
    const created = new LeaderElector({
      identity,
      client: clients[identity],
      clock,
      ...TIMING,
      onStartedLeading: () => {
        leaders.add(identity);
        if (leaders.size > 1) overlaps += 1;
        transitions.push(`${clock.now()} ${identity} leads`);
      },
      onStoppedLeading: () => {
        leaders.delete(identity);
        transitions.push(`${clock.now()} ${identity} stops`);
      },
      onError: () => {},
    });
    electors[identity] = created;
    return created;
  }

  const lease = (): JsonObject =>
    (api.get('coordination.k8s.io/v1', 'Lease', LEASE.namespace, LEASE.name)?.spec ?? {}) as JsonObject;

  beforeEach(async () => {
    api = await FakeKubeApi.start();
    electors = {};
    clients = {};
    transitions = [];
    leaders = new Set();
    overlaps = 0;
    clock = new SteppingClock(() => Promise.all(Object.values(electors).map((e) => e.idle())));
  });

  afterEach(async () => {
    await Promise.all(Object.values(electors).map((e) => e.stop()));
    await api.close();
  });

  it('lets one candidate lead while the other waits, and hands over at once on release', async () => {
    const a = elector('a');
    a.start();
    await clock.advance(0);
    const b = elector('b');
    b.start();
    await clock.advance(60_000);
    expect([a.isLeader, b.isLeader]).to.deep.equal([true, false]);
    expect(lease()).to.include({ holderIdentity: 'a', leaseTransitions: 0 });

    await a.release();
    expect(lease()).to.include({ holderIdentity: '' });
    await clock.advance(TIMING.retryPeriodMs);
    expect([a.isLeader, b.isLeader]).to.deep.equal([false, true]);
    expect(lease()).to.include({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(transitions).to.deep.equal(['0 a leads', '60000 a stops', '62000 b leads']);
    expect(overlaps).to.equal(0);
  });

  it('takes over from a leader that stopped renewing only after its lease expired', async () => {
    const a = elector('a');
    a.start();
    await clock.advance(0);
    const b = elector('b');
    b.start();
    await clock.advance(10_000);
    await a.stop();
    const stoppedAt = clock.now();
    for (let step = 0; step < 40 && !b.isLeader; step++) await clock.advance(1_000);
    expect(b.isLeader).to.equal(true);
    const takeover = Number(transitions.at(-1)?.split(' ')[0]);
    // a may have renewed right before it stopped: its lease was valid for a full duration from then.
    expect(takeover - stoppedAt).to.be.at.least(TIMING.leaseDurationMs);
    expect(overlaps).to.equal(0);
  });

  it('makes a cut-off leader step down before anyone else may lead: never two leaders at once', async () => {
    const a = elector('a');
    const b = elector('b');
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(6_000);
    clients.a!.cut = true;
    for (let step = 0; step < 60; step++) await clock.advance(500);
    expect([a.isLeader, b.isLeader]).to.deep.equal([false, true]);
    // a's last renewal started at 6 s: it stops 10 s (renewDeadline) later, and b may not lead
    // until that renewal's lease (15 s) ran out.
    expect(transitions.slice(0, 2)).to.deep.equal(['0 a leads', '16000 a stops']);
    expect(transitions[2]).to.match(/ b leads$/);
    expect(Number(transitions[2]?.split(' ')[0])).to.be.at.least(6_000 + TIMING.leaseDurationMs);
    expect(overlaps).to.equal(0);

    // Reconnected, a finds b's lease current and waits.
    clients.a!.cut = false;
    await clock.advance(30_000);
    expect([a.isLeader, b.isLeader]).to.deep.equal([false, true]);
  });

  it('lets exactly one of two candidates racing for a missing lease win (409 for the other)', async () => {
    const a = elector('a');
    const b = elector('b');
    a.start();
    b.start();
    await clock.advance(0);
    expect([a.isLeader, b.isLeader].filter(Boolean)).to.have.length(1);
    const creates = api.writes((r) => r.method === 'POST' && r.path.endsWith('/leases'));
    expect(creates).to.have.length(2);
    await clock.advance(30_000);
    expect([a.isLeader, b.isLeader].filter(Boolean)).to.have.length(1);
    expect(overlaps).to.equal(0);
  });

  it('writes lease times the API server accepts (six fractional digits)', async () => {
    const a = elector('a');
    a.start();
    await clock.advance(0);
    expect(lease().renewTime).to.match(/\.\d{6}Z$/);
    expect(a.isLeader).to.equal(true);
  });
});
