/**
 * The operator's Prometheus metrics. Each controller has its own registry rather than
 * prom-client's global one, so two controllers in one process (tests, a handover) do not share
 * counters, and nothing is registered as a side effect of importing this file.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type ReconcileResult = 'success' | 'error';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'kind' | 'result'>;
  readonly reconcileErrors: Counter<'kind'>;
  readonly renderSeconds: Histogram<'driver'>;
  readonly validateSeconds: Histogram<'driver'>;
  readonly statusWrites: Counter<'result'>;
  readonly objectWrites: Counter<'kind' | 'operation'>;
  readonly reloads: Counter<'result'>;
  readonly leader: Gauge;
  private queueDepth: () => number = () => 0;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'gateplane_' });
    this.reconciles = new Counter({
      name: 'gateplane_reconciles_total',
      help: 'Reconciles run, by key kind (gateway, status) and result.',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'gateplane_reconcile_errors_total',
      help: 'Reconciles that failed and will be retried, by key kind.',
      labelNames: ['kind'],
      registers,
    });
    this.renderSeconds = new Histogram({
      name: 'gateplane_render_duration_seconds',
      help: 'Time to render one Gateway for the cluster.',
      labelNames: ['driver'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.validateSeconds = new Histogram({
      name: 'gateplane_validate_duration_seconds',
      help: "Time to check one Gateway's configuration with the proxy's binary, isolating rejected routes.",
      labelNames: ['driver'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.statusWrites = new Counter({
      name: 'gateplane_status_writes_total',
      help: 'Status subresource writes, by result (written, conflict).',
      labelNames: ['result'],
      registers,
    });
    this.objectWrites = new Counter({
      name: 'gateplane_object_writes_total',
      help: 'Writes of the objects gateplane owns, by kind and operation (apply, delete).',
      labelNames: ['kind', 'operation'],
      registers,
    });
    this.reloads = new Counter({
      name: 'gateplane_proxy_reloads_total',
      help: 'Configurations proxy pods reported as applied (their applied-hash annotation changed).',
      labelNames: ['result'],
      registers,
    });
    this.leader = new Gauge({
      name: 'gateplane_leader',
      help: '1 while this process is the leader and reconciles, else 0.',
      registers,
    });
    const depth = (): number => this.queueDepth();
    new Gauge({
      name: 'gateplane_queue_depth',
      help: 'Keys waiting to be reconciled.',
      registers,
      collect() {
        this.set(depth());
      },
    });
    this.leader.set(0);
  }

  /** The queue changes with each leadership term; the gauge reads whichever is current. */
  observeQueue(depth: () => number): void {
    this.queueDepth = depth;
  }

  /** Seconds since `start` (from performance.now()), for the histograms. */
  static since(start: number): number {
    return (performance.now() - start) / 1000;
  }
}
