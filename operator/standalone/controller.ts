/**
 * Standalone mode (DESIGN §4): files → store → work queue → resolver → one proxy per Gateway →
 * status file. Work is keyed per Gateway (`gateway:<ns>/<name>`), plus one `status` key that
 * writes the status file after Gateways were applied; the queue coalesces bursts of changes.
 */
import type { Driver } from '../../drivers/driver.js';
import { describeError, type Logger } from '../log.js';
import { resolveOptions, Resolver, type DriverName, type Resolution } from '../model/index.js';
import { WorkQueue } from '../reconcile/index.js';
import { FileSource } from '../sources/index.js';
import {
  mergeDataPlaneReports,
  StatusStamper,
  writeStatusFile,
  type DataPlaneReport,
} from '../status/index.js';
import { Store } from '../store/index.js';
import { AddressPool } from './addresses.js';
import { ConfigRejectedError } from '../deploy/index.js';
import { ProxyRuntime } from './proxyRuntime.js';
import { gatewayFolder, lockStateDir } from './stateDir.js';

export interface StandaloneOptions {
  readonly paths: readonly string[];
  readonly watch: boolean;
  readonly defaultDriver: DriverName;
  readonly stateDir: string;
  readonly statusFile?: string;
  readonly addressPool: string;
  readonly drivers: Readonly<Record<DriverName, Driver>>;
  readonly logger: Logger;
}

const STATUS_KEY = 'status';
const GATEWAY_PREFIX = 'gateway:';
/** Upper bound on waiting for in-flight requests at shutdown, whatever a DataPlaneConfig says. */
const MAX_SHUTDOWN_DRAIN_MS = 30_000;

export class StandaloneController {
  private readonly store = new Store({ metadata: 'track' });
  private readonly source: FileSource;
  private readonly queue: WorkQueue;
  private readonly pool: AddressPool;
  private readonly runtimes = new Map<string, ProxyRuntime>();
  private readonly reports = new Map<string, DataPlaneReport>();
  private readonly stamper = new StatusStamper();
  private resolution: { version: number; value: Resolution } | undefined;
  private readonly resolver: Resolver;
  private unlock: (() => Promise<void>) | undefined;

  constructor(private readonly options: StandaloneOptions) {
    this.pool = new AddressPool(options.addressPool);
    this.resolver = new Resolver(resolveOptions(options.defaultDriver, options.drivers));
    const log = options.logger;
    this.source = new FileSource({
      paths: options.paths,
      store: this.store,
      watch: options.watch,
      onProblems: (problems) => {
        for (const p of problems) {
          const where =
            p.document === undefined ? p.file : `${p.file} (document ${p.document + 1}, index ${p.document})`;
          log.warn('Input not loaded', { where, reason: p.reason });
        }
      },
      onScanError: (error) =>
        log.error('Reading the manifest files failed; retrying at the next change or poll', {
          error: describeError(error),
        }),
      onIgnoredKind: (ignored) =>
        log.warn('Kind not read by gateplane; ignored', {
          apiVersion: ignored.apiVersion,
          kind: ignored.kind,
          file: ignored.file,
        }),
    });
    this.queue = new WorkQueue({
      reconciler: { reconcile: (key) => this.reconcile(key) },
      concurrency: 2,
      // The files source already waits 5 ms for a burst of file events to settle and hands the
      // store one batch per scan; a window here would only add to every route's time to serve
      // (benchmark S2). A change arriving during a reconcile still waits for it (one run per key).
      coalesceMs: 0,
      onError: (key, error, attempt, retryInMs) =>
        log.error('Reconcile failed', { key, attempt, retryInMs, error: describeError(error) }),
    });
    this.store.onChange(() => this.enqueueAll());
  }

  async start(): Promise<void> {
    this.unlock = await lockStateDir(this.options.stateDir);
    process.on('exit', this.killProxiesOnExit);
    await this.source.start();
    this.enqueueAll();
  }

  /** Resolves when everything queued so far has been applied (or failed and is waiting to retry). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    await this.source.stop();
    await this.queue.stop();
    await Promise.all(
      [...this.runtimes.entries()].map(async ([key, runtime]) => {
        const drain =
          this.resolved().gateways.find((g) => keyOf(g.gateway) === key)?.model?.settings
            .drainTimeoutSeconds ?? 0;
        await runtime.stop(Math.min(drain * 1000, MAX_SHUTDOWN_DRAIN_MS));
      }),
    );
    process.off('exit', this.killProxiesOnExit);
    await this.unlock?.();
  }

  /**
   * Last resort when gateplane exits without stop() (an uncaught error, process.exit): proxies
   * must not outlive us. A master that gets SIGTERM stops its workers at once.
   */
  private readonly killProxiesOnExit = (): void => {
    for (const runtime of this.runtimes.values()) {
      if (runtime.pid === undefined) continue;
      try {
        process.kill(runtime.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  };

  private resolved(): Resolution {
    const snapshot = this.store.snapshot();
    if (this.resolution?.version !== snapshot.version) {
      const value = this.resolver.resolve(snapshot);
      this.resolution = { version: snapshot.version, value };
    }
    return this.resolution.value;
  }

  private enqueueAll(): void {
    const keys = new Set(this.resolved().gateways.map((g) => keyOf(g.gateway)));
    for (const key of this.runtimes.keys()) keys.add(key);
    for (const key of [...keys].sort()) this.queue.add(GATEWAY_PREFIX + key);
    // Each Gateway's reconcile queues the status when it ends: written beside the applies, its
    // serialization (megabytes with thousands of routes) would hold up the change under way.
    if (keys.size === 0) this.queue.add(STATUS_KEY);
  }

  private async reconcile(key: string): Promise<{ requeueAfterMs?: number }> {
    if (key === STATUS_KEY) {
      await this.writeStatus();
    } else {
      try {
        await this.reconcileGateway(key.slice(GATEWAY_PREFIX.length));
      } finally {
        this.queue.add(STATUS_KEY);
      }
    }
    return {};
  }

  private async reconcileGateway(key: string): Promise<void> {
    const entry = this.resolved().gateways.find((g) => keyOf(g.gateway) === key);
    let runtime = this.runtimes.get(key);
    if (!entry?.model) {
      // Deleted, or no longer accepted: nothing of it may keep serving.
      if (runtime) await runtime.stop(0, true);
      this.runtimes.delete(key);
      this.reports.delete(key);
      if (!entry) this.pool.release(key);
      return;
    }
    const assignment = this.pool.assign(key, entry.requestedAddresses);
    if ('problem' in assignment) {
      this.reports.set(key, { addresses: [], state: { kind: 'noAddress', message: assignment.problem } });
      if (runtime) await runtime.stop(0);
      return;
    }
    const addresses = [{ type: 'IPAddress' as const, value: assignment.address }];
    if (!runtime) {
      runtime = new ProxyRuntime({
        dir: gatewayFolder(this.options.stateDir, entry.gateway),
        drivers: this.options.drivers,
        onLiveUpdateRefused: (detail) =>
          this.options.logger.warn('Live update refused by the proxy; reloading instead', {
            gateway: key,
            detail,
          }),
        onUnexpectedExit: (detail) => {
          this.options.logger.error('Proxy exited unexpectedly; restarting', { gateway: key, detail });
          this.reports.set(key, { addresses, state: { kind: 'pending', message: detail } });
          this.queue.add(GATEWAY_PREFIX + key);
        },
      });
      this.runtimes.set(key, runtime);
    }
    try {
      const rejectedRoutes = await runtime.apply(entry.model, assignment.address);
      for (const rejected of rejectedRoutes) {
        this.options.logger.warn('Route set aside: the proxy rejected its configuration', {
          gateway: key,
          ...rejected,
        });
      }
      this.reports.set(key, { addresses, state: { kind: 'programmed' }, rejectedRoutes });
    } catch (error) {
      const message =
        error instanceof ConfigRejectedError
          ? error.message
          : `applying the configuration failed: ${describeError(error)}`;
      runtime.lastError = message;
      this.reports.set(key, { addresses, state: { kind: 'pending', message } });
      throw new Error(`apply Gateway ${key}`, { cause: error });
    }
  }

  private async writeStatus(): Promise<void> {
    const resolution = this.resolved();
    // A Gateway is Programmed only if its proxy serves the model of the current resolution.
    const reports = new Map<string, DataPlaneReport>();
    for (const { gateway, model } of resolution.gateways) {
      const key = keyOf(gateway);
      const report = this.reports.get(key);
      if (!report) continue;
      const current = report.state.kind !== 'programmed' || this.runtimes.get(key)?.serves(model) === true;
      reports.set(
        key,
        current
          ? report
          : {
              addresses: report.addresses,
              state: { kind: 'pending', message: 'Applying the latest configuration.' },
            },
      );
    }
    const stamped = this.stamper.stamp(mergeDataPlaneReports(resolution.statuses, reports));
    if (this.options.statusFile) await writeStatusFile(this.options.statusFile, stamped);
  }
}

function keyOf(gateway: { readonly namespace: string; readonly name: string }): string {
  return `${gateway.namespace}/${gateway.name}`;
}
