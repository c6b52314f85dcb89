/**
 * Cluster mode (DESIGN §5): the Kubernetes source fills the store; once every cache is synced,
 * the leader (or the only instance, without leader election) reconciles keys from a work queue:
 * one per Gateway, `gateway:<ns>/<name>`, plus `status`, which writes the status of everything we
 * own after Gateways were published. Standbys keep their caches warm and write nothing.
 *
 * Each leadership term gets its own queue and reconciler: a term that ends stops its queue
 * before the next one may run, so two terms never write at once from this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../log.js';
import { CONTROLLER_NAME, resolveOptions, Resolver, type Resolution } from '../model/index.js';
import {
  APPLIED_HASH_ANNOTATION,
  CLUSTER_TARGET,
  DEFAULT_IMAGE,
  FIELD_MANAGER,
  gatewaysWithObjects,
  httpObjectClient,
  OwnedObjects,
  Provisioner,
  type ObjectClient,
  type WatchedObject,
} from '../provision/index.js';
import { LeaderElector, systemClock, WorkQueue } from '../reconcile/index.js';
import { clientNodeLeaseClient, KubernetesSource } from '../sources/kubernetes/index.js';
import { clientNodeStatusClient, KubeStatusWriter } from '../status/kubernetes/index.js';
import { Store, type StoreSnapshot } from '../store/index.js';
import { GatewayConfigs } from './gatewayConfigs.js';
import { HealthServer } from './healthServer.js';
import { ControllerMetrics } from './metrics.js';
import type { ClusterControllerOptions, LeaderElectionOptions } from './options.js';
import { ClusterReconciler, GATEWAY_PREFIX, gatewayKey, STATUS_KEY } from './reconciler.js';

/** One leadership term: its queue, whose reconciler starts from the caches alone. */
interface Term {
  readonly queue: WorkQueue;
}

export class ClusterController {
  readonly metrics: ControllerMetrics;
  /** Where /metrics, /healthz and /readyz answer, once started. */
  healthAddress: AddressInfo | undefined;
  private readonly store = new Store({ metadata: 'source' });
  private readonly source: KubernetesSource;
  private readonly owned: OwnedObjects;
  private readonly statusWriter: KubeStatusWriter;
  private readonly objectClient: ObjectClient;
  private readonly elector: LeaderElector | undefined;
  private readonly health: HealthServer | undefined;
  private configs: GatewayConfigs | undefined;
  private scratchRoot: string | undefined;
  private term: Term | undefined;
  /** Settles once the previous term's queue has stopped; a new term's reconciles wait for it. */
  private previousTerm: Promise<void> = Promise.resolve();
  private resolution: { version: number; snapshot: StoreSnapshot; value: Resolution } | undefined;
  private readonly resolver: Resolver;
  private readonly appliedHashes = new Map<string, string>();
  private synced = false;
  private stopping = false;

  constructor(private readonly options: ClusterControllerOptions) {
    const { kubeConfig, logger: log } = options;
    this.metrics = new ControllerMetrics({ processMetrics: options.processMetrics ?? false });
    this.resolver = new Resolver(resolveOptions(options.defaultDriver, options.drivers));
    this.source = new KubernetesSource({
      kubeConfig,
      store: this.store,
      logger: log,
      onInvalid: (problem) => log.warn('Object not loaded: it failed validation', { ...problem }),
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    this.owned = new OwnedObjects({
      kubeConfig,
      logger: log,
      onChange: (object, gone) => this.onOwnedChange(object, gone),
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      ...(options.retry ? { backoff: options.retry } : {}),
    });
    this.statusWriter = new KubeStatusWriter({
      client: clientNodeStatusClient(kubeConfig, FIELD_MANAGER),
      live: this.source.live,
      controllerName: CONTROLLER_NAME,
    });
    this.objectClient = httpObjectClient(kubeConfig);
    this.elector = options.leaderElection && this.createElector(options.leaderElection);
    this.health =
      options.metricsAddress === undefined
        ? undefined
        : new HealthServer({
            address: options.metricsAddress,
            registry: this.metrics.registry,
            ready: () => this.ready(),
          });
    this.store.onChange(() => this.enqueueAll());
  }

  get isLeader(): boolean {
    return this.term !== undefined;
  }

  /** Synced and, when leading, reconciling. */
  ready(): boolean {
    const leading = this.elector ? this.elector.isLeader : true;
    return this.synced && !this.stopping && (!leading || this.term !== undefined);
  }

  /** Resolves once the caches are synced; leading starts then, or when the Lease is won. */
  async start(): Promise<void> {
    this.scratchRoot = await mkdtemp(path.join(os.tmpdir(), 'gateplane-run-'));
    this.configs = new GatewayConfigs({
      drivers: this.options.drivers,
      scratchRoot: this.scratchRoot,
      metrics: this.metrics,
      target: this.options.renderTarget ?? CLUSTER_TARGET,
    });
    if (this.health) this.healthAddress = await this.health.start();
    this.source.start();
    this.owned.start();
    await Promise.all([this.source.synced(), this.owned.synced()]);
    this.synced = true;
    this.options.logger.info('Caches synced', { leaderElection: this.elector !== undefined });
    if (this.elector) this.elector.start();
    else this.startLeading();
  }

  /** Resolves when everything queued in this term so far was reconciled (or awaits a retry). */
  async idle(): Promise<void> {
    await this.term?.queue.idle();
  }

  /** SIGTERM: stop the queue, give the Lease up so a standby takes over at once, stop watching. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopLeading();
    try {
      await this.previousTerm;
      await this.elector?.release();
    } finally {
      await Promise.all([this.source.stop(), this.owned.stop()]);
      await this.health?.stop();
      if (this.scratchRoot) await rm(this.scratchRoot, { recursive: true, force: true });
    }
  }

  private createElector(election: LeaderElectionOptions): LeaderElector {
    const log = this.options.logger;
    return new LeaderElector({
      identity: election.identity,
      client: clientNodeLeaseClient(this.options.kubeConfig, election.lease),
      clock: systemClock,
      ...(election.leaseDurationMs !== undefined ? { leaseDurationMs: election.leaseDurationMs } : {}),
      ...(election.renewDeadlineMs !== undefined ? { renewDeadlineMs: election.renewDeadlineMs } : {}),
      ...(election.retryPeriodMs !== undefined ? { retryPeriodMs: election.retryPeriodMs } : {}),
      onStartedLeading: () => this.startLeading(),
      onStoppedLeading: () => this.stopLeading(),
      onError: (error) =>
        log.warn('Leader election attempt failed; retrying', { error: describeError(error) }),
    });
  }

  private startLeading(): void {
    if (this.stopping || this.term || !this.configs) return;
    const log = this.options.logger;
    const reconciler = new ClusterReconciler({
      resolved: () => this.resolved(),
      live: this.source.live,
      owned: this.owned,
      provisioner: new Provisioner(this.objectClient, this.owned),
      configs: this.configs,
      statusWriter: this.statusWriter,
      metrics: this.metrics,
      logger: log,
      image: this.options.image ?? DEFAULT_IMAGE,
      requeueStatus: () => this.term?.queue.add(STATUS_KEY),
    });
    const previous = this.previousTerm;
    const queue = new WorkQueue({
      concurrency: 4,
      ...(this.options.coalesceMs !== undefined ? { coalesceMs: this.options.coalesceMs } : {}),
      reconciler: {
        reconcile: async (key) => {
          await previous;
          const kind = key === STATUS_KEY ? 'status' : 'gateway';
          try {
            await reconciler.reconcile(key);
          } catch (error) {
            this.metrics.reconciles.inc({ kind, result: 'error' });
            this.metrics.reconcileErrors.inc({ kind });
            throw error;
          }
          this.metrics.reconciles.inc({ kind, result: 'success' });
          return {};
        },
      },
      onError: (key, error, attempt, retryInMs) =>
        log.error('Reconcile failed', { key, attempt, retryInMs, error: describeError(error) }),
    });
    this.term = { queue };
    this.metrics.observeQueue(() => queue.size);
    this.metrics.leader.set(1);
    log.info('Started leading: reconciling every Gateway');
    this.enqueueAll();
  }

  private stopLeading(): void {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    this.metrics.leader.set(0);
    this.metrics.observeQueue(() => 0);
    this.previousTerm = term.queue.stop();
    this.options.logger.info('Stopped leading: reconciles stopped');
  }

  private resolved(): { snapshot: StoreSnapshot; resolution: Resolution } {
    const snapshot = this.store.snapshot();
    if (this.resolution?.version !== snapshot.version) {
      const value = this.resolver.resolve(snapshot);
      this.resolution = { version: snapshot.version, snapshot, value };
    }
    return { snapshot: this.resolution.snapshot, resolution: this.resolution.value };
  }

  /** Every Gateway we serve, and every Gateway we still have objects for (to delete them). */
  private enqueueAll(): void {
    const queue = this.term?.queue;
    if (!queue) return;
    const keys = new Set(this.resolved().resolution.gateways.map((g) => gatewayKey(g.gateway)));
    for (const key of gatewaysWithObjects(this.owned)) keys.add(key);
    for (const key of [...keys].sort()) queue.add(GATEWAY_PREFIX + key);
    queue.add(STATUS_KEY);
  }

  /** Our objects drift or go away: re-apply. Pods and Services change: Programmed and addresses. */
  private onOwnedChange(object: WatchedObject, gone: boolean): void {
    if (object.kind === 'Pod') this.countReload(object, gone);
    const queue = this.term?.queue;
    if (!queue) return;
    const owner = object.metadata.ownerReferences.find((ref) => ref.kind === 'Gateway');
    if (object.kind !== 'Pod' && owner)
      queue.add(`${GATEWAY_PREFIX}${object.metadata.namespace}/${owner.name}`);
    queue.add(STATUS_KEY);
  }

  /** The agent annotates its pod once a configuration serves: each new hash is one reload. */
  private countReload(pod: WatchedObject, gone: boolean): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const hash = pod.metadata.annotations[APPLIED_HASH_ANNOTATION];
    const previous = this.appliedHashes.get(key);
    if (gone || hash === undefined) {
      this.appliedHashes.delete(key);
      return;
    }
    this.appliedHashes.set(key, hash);
    if (previous !== undefined && previous !== hash && this.term)
      this.metrics.reloads.inc({ result: 'applied' });
  }
}
