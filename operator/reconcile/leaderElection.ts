/**
 * Lease-based leader election, as client-go's leaderelection package does it, over an injected
 * Lease client and clock (no Kubernetes client here).
 *
 * Safety rests on two clocks that only measure intervals, never compare wall times across
 * machines:
 * - a candidate judges another holder's lease expired only when the record has not changed for
 *   `leaseDurationSeconds` of its own clock since it first saw that version;
 * - the leader stops leading when no renewal that started within `renewDeadlineMs` succeeded.
 * With renewDeadlineMs < leaseDurationMs, the old leader has stopped before anyone else may
 * start. Writes carry the resourceVersion they read, so two candidates cannot both win a race.
 */
import type { Clock, Timer } from './clock.js';

export interface LeaseSpec {
  /** '' when nobody holds the lease (released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: Date;
  readonly renewTime?: Date;
  readonly leaseTransitions: number;
}

export interface LeaseRecord extends LeaseSpec {
  readonly resourceVersion: string;
}

/** Another writer got there first (HTTP 409: the lease exists, or its resourceVersion moved). */
export class LeaseConflictError extends Error {}

export interface LeaseClient {
  get(): Promise<LeaseRecord | undefined>;
  /** Throws LeaseConflictError if the lease exists. */
  create(spec: LeaseSpec): Promise<LeaseRecord>;
  /** Throws LeaseConflictError if `resourceVersion` is no longer current. */
  update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord>;
}

export interface LeaderElectorOptions {
  /** Unique per process (pod name plus a random suffix): two processes must never share it. */
  readonly identity: string;
  readonly client: LeaseClient;
  readonly clock: Clock;
  /** Wall time for the lease's acquireTime/renewTime, which are for people reading the Lease. */
  readonly wallClock?: () => Date;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  /** A failed attempt (network, API error); the elector retries on its own. The caller logs. */
  readonly onError?: (error: Error) => void;
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private leading = false;
  private stopped = true;
  private observed: { record: LeaseRecord; at: number } | undefined;
  private tick: Timer | undefined;
  private deadline: Timer | undefined;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaderElectorOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(this.renewDeadlineMs < this.leaseDurationMs) || !(this.retryPeriodMs < this.renewDeadlineMs)) {
      throw new Error('leader election needs retryPeriodMs < renewDeadlineMs < leaseDurationMs');
    }
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Resolves when the attempt in progress, if any, has finished. */
  idle(): Promise<void> {
    return this.round;
  }

  /** Stop taking part without touching the lease, as a crash would: others wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.tick?.cancel();
    await this.round;
    this.stepDown();
  }

  /**
   * Shutdown: stop leading first, then give the lease up (empty holder) so a standby takes over
   * on its next attempt instead of waiting for expiry.
   */
  async release(): Promise<void> {
    await this.stop();
    const record = this.observed?.record;
    if (record?.holderIdentity !== this.options.identity) return;
    const now = this.now();
    try {
      const released = await this.options.client.update(
        { ...record, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
        record.resourceVersion,
      );
      this.observed = { record: released, at: this.options.clock.now() };
    } catch (error) {
      // Someone else wrote the lease since: it is not ours to release any more.
      if (!(error instanceof LeaseConflictError))
        throw new Error('release the leader lease', { cause: error });
    }
  }

  private now(): Date {
    return (this.options.wallClock ?? (() => new Date()))();
  }

  private schedule(delayMs: number): void {
    this.tick = this.options.clock.setTimeout(() => {
      this.round = this.attempt();
    }, delayMs);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const startedAt = this.options.clock.now();
    let holding = false;
    try {
      holding = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.stopped) return;
    if (holding) {
      this.armDeadline(startedAt);
      if (!this.leading) {
        this.leading = true;
        this.options.onStartedLeading();
      }
    }
    this.schedule(this.retryPeriodMs);
  }

  /** Measured from when the successful renewal started, which is before it reached the server. */
  private armDeadline(renewStartedAt: number): void {
    this.deadline?.cancel();
    const remaining = renewStartedAt + this.renewDeadlineMs - this.options.clock.now();
    this.deadline = this.options.clock.setTimeout(() => this.stepDown(), remaining);
  }

  private stepDown(): void {
    this.deadline?.cancel();
    this.deadline = undefined;
    if (!this.leading) return;
    this.leading = false;
    this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, identity, clock } = this.options;
    const current = await client.get();
    try {
      if (!current) {
        this.observe(await client.create(this.nextSpec(undefined)));
        return true;
      }
      if (this.observed?.record.resourceVersion !== current.resourceVersion) {
        this.observed = { record: current, at: clock.now() };
      }
      if (current.holderIdentity !== identity && current.holderIdentity !== '') {
        // Someone else holds it: if we thought we led, we did not (our deadline would have passed).
        this.stepDown();
        const expiresAt = (this.observed?.at ?? clock.now()) + current.leaseDurationSeconds * 1000;
        if (expiresAt > clock.now()) return false;
      }
      this.observe(await client.update(this.nextSpec(current), current.resourceVersion));
      return true;
    } catch (error) {
      if (error instanceof LeaseConflictError) return false;
      throw error;
    }
  }

  /** The lease as we write it: renewed if ours, taken over (one more transition) if not. */
  private nextSpec(current: LeaseRecord | undefined): LeaseSpec {
    const now = this.now();
    const ours = current?.holderIdentity === this.options.identity;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: ours ? (current?.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: current ? current.leaseTransitions + (ours ? 0 : 1) : 0,
    };
  }

  private observe(record: LeaseRecord): void {
    this.observed = { record, at: this.options.clock.now() };
  }
}
