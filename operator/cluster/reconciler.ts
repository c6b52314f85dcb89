/**
 * What the leader does with a key, for one leadership term: `gateway:<ns>/<name>` publishes that
 * Gateway's objects (or deletes them when it is gone or no longer ours), `status` writes the
 * status of everything we own. A new term starts from nothing but the caches, so whatever the
 * previous leader did is re-checked rather than trusted.
 */
import { ConfigRejectedError, type RejectedRoute } from '../deploy/index.js';
import { describeError, type Logger } from '../log.js';
import type { Resolution, ResolvedGatewayEntry } from '../model/index.js';
import {
  dataPlaneConfigFor,
  desiredObjects,
  proxyPodSettings,
  proxyReadiness,
  serviceAddresses,
  servicePorts,
  proxyObjectNames,
  type OwnedObjects,
  type Provisioner,
} from '../provision/index.js';
import { mergeDataPlaneReports, StatusStamper, type DataPlaneReport } from '../status/index.js';
import type { KubeStatusWriter, LiveStatusView } from '../status/kubernetes/index.js';
import type { StoreSnapshot } from '../store/index.js';
import type { GatewayConfigs } from './gatewayConfigs.js';
import type { ControllerMetrics } from './metrics.js';

export const STATUS_KEY = 'status';
export const GATEWAY_PREFIX = 'gateway:';

export interface ReconcilerDeps {
  readonly resolved: () => { readonly snapshot: StoreSnapshot; readonly resolution: Resolution };
  readonly live: LiveStatusView;
  readonly owned: OwnedObjects;
  readonly provisioner: Provisioner;
  readonly configs: GatewayConfigs;
  readonly statusWriter: KubeStatusWriter;
  readonly metrics: ControllerMetrics;
  readonly logger: Logger;
  /** The gateplane image: the agent's, and the proxy's unless a DataPlaneConfig names another. */
  readonly image: string;
  readonly requeueStatus: () => void;
}

/** What this term last published for a Gateway, or why it could not. */
type Published =
  { readonly hash: string; readonly rejected: readonly RejectedRoute[] } | { readonly error: string };

export const gatewayKey = (gateway: { namespace: string; name: string }): string =>
  `${gateway.namespace}/${gateway.name}`;

export class ClusterReconciler {
  private readonly published = new Map<string, Published>();
  private readonly stamper = new StatusStamper();
  /** Every Gateway was reconciled once in this term: until then, status would only say "not yet". */
  private caughtUp = false;

  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(key: string): Promise<void> {
    if (key === STATUS_KEY) return this.writeStatus();
    try {
      await this.reconcileGateway(key.slice(GATEWAY_PREFIX.length));
    } finally {
      this.deps.requeueStatus();
    }
  }

  private async reconcileGateway(key: string): Promise<void> {
    const { snapshot, resolution } = this.deps.resolved();
    const entry = resolution.gateways.find((g) => gatewayKey(g.gateway) === key);
    if (!entry?.model) return this.unpublish(key);
    try {
      await this.publish(snapshot, entry);
    } catch (error) {
      const message =
        error instanceof ConfigRejectedError
          ? error.message
          : `applying the configuration failed: ${describeError(error)}`;
      this.published.set(key, { error: message });
      throw new Error(`publish Gateway ${key}`, { cause: error });
    }
  }

  private async publish(snapshot: StoreSnapshot, entry: ResolvedGatewayEntry): Promise<void> {
    const { namespace, name } = entry.gateway;
    const key = gatewayKey(entry.gateway);
    const gatewayModel = entry.model;
    const gateway = snapshot.get('Gateway', namespace, name);
    const uid = this.deps.live.get('Gateway', namespace, name)?.uid;
    if (!gatewayModel || !gateway || !uid) throw new Error(`the uid of Gateway ${key} is not known yet`);
    // Read before the first await, so that every input comes from the same snapshot.
    const settings = proxyPodSettings(
      gatewayModel,
      dataPlaneConfigFor(snapshot, entry.gateway),
      this.deps.image,
    );
    const ports = servicePorts(gateway.spec.listeners);
    const { built, fresh } = await this.deps.configs.build(key, gatewayModel);
    if (fresh) {
      for (const { route, message } of built.rejected) {
        this.deps.logger.warn('Route set aside: the proxy rejected its configuration', {
          gateway: key,
          route,
          reason: message,
        });
      }
    }
    const desired = desiredObjects({
      gateway: { namespace, name, uid },
      config: built.config,
      settings,
      ports,
    });
    const { applied } = await this.deps.provisioner.apply(desired);
    for (const kind of applied) this.deps.metrics.objectWrites.inc({ kind, operation: 'apply' });
    if (applied.length > 0) {
      this.deps.logger.info('Applied the objects of a Gateway', {
        gateway: key,
        hash: built.config.hash,
        kinds: applied,
      });
    }
    this.published.set(key, { hash: built.config.hash, rejected: built.rejected });
  }

  /** Gone, or no longer ours (class changed, not accepted): nothing of it may keep serving. */
  private async unpublish(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    this.published.delete(key);
    await this.deps.configs.forget(key);
    const { applied } = await this.deps.provisioner.remove({ namespace, name });
    for (const kind of applied) this.deps.metrics.objectWrites.inc({ kind, operation: 'delete' });
    if (applied.length > 0)
      this.deps.logger.info('Deleted the objects of a Gateway', { gateway: key, kinds: applied });
  }

  private async writeStatus(): Promise<void> {
    const { resolution } = this.deps.resolved();
    const reports = new Map<string, DataPlaneReport>();
    let missing = 0;
    for (const { gateway, model } of resolution.gateways) {
      if (!model) continue;
      const key = gatewayKey(gateway);
      const record = this.published.get(key);
      if (!record) {
        missing += 1;
        continue;
      }
      reports.set(key, this.report(gateway, record));
    }
    // The Gateway reconciles that are missing requeue the status when they finish.
    if (missing > 0 && !this.caughtUp) return;
    this.caughtUp = true;
    const stamped = this.stamper.stamp(mergeDataPlaneReports(resolution.statuses, reports));
    const summary = await this.deps.statusWriter.write(stamped);
    this.deps.metrics.statusWrites.inc({ result: 'written' }, summary.written);
    this.deps.metrics.statusWrites.inc({ result: 'conflict' }, summary.conflicts);
  }

  /**
   * A record from an older model still tells what the pods serve: its reconcile is queued and
   * will replace it, so reporting it avoids flipping Programmed on every change of the model.
   */
  private report(gateway: { namespace: string; name: string }, record: Published): DataPlaneReport {
    if ('error' in record) {
      const service = this.deps.owned.get(
        'Service',
        gateway.namespace,
        proxyObjectNames(gateway.name).service,
      );
      return { addresses: serviceAddresses(service), state: { kind: 'pending', message: record.error } };
    }
    const readiness = proxyReadiness(this.deps.owned, { gateway, publishedHash: record.hash });
    return { ...readiness, rejectedRoutes: record.rejected };
  }
}
