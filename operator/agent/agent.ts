/**
 * The agent beside each proxy pod (notes/cluster-spec-2.md, "Agent"): keeps the proxy in its pod
 * serving what the operator published for its Gateway, and says so on the pod.
 *
 * The Gateway's ConfigMap and Secret are watched separately; any change (once both were listed)
 * marks the inputs dirty, and one loop applies whatever the inputs are by then. So there are
 * never two applies at once, a burst of changes costs at most one apply beyond the running one,
 * and the latest inputs win. The loop reads current state, never an event (STYLE §6).
 *
 * Outcomes of an apply:
 * - applied: annotate the pod with the hash (retried with backoff until the API takes it);
 * - refused, by the checker or by the proxy on reload: log the proxy's words, keep the old
 *   configuration, leave the annotation, and do nothing more until the inputs change;
 * - any other failure (the proxy did not confirm, the API is down): retry with backoff.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Driver } from '../../drivers/driver.js';
import { describeError, type Logger } from '../log.js';
import { backoffDelay, type BackoffOptions } from '../reconcile/backoff.js';
import { systemClock, type Clock, type Timer } from '../reconcile/clock.js';
import { apiResource, collectionPath } from '../sources/kubernetes/resources.js';
import { clientNodeTransport } from '../sources/kubernetes/transport.js';
import { Applier, ApplyStoppedError } from './applier.js';
import { certificatesSecretName, configMapName } from './bundle.js';
import { startHealthServer, type HealthServer } from './healthServer.js';
import { readInputs } from './inputs.js';
import { ObjectWatch } from './objectWatch.js';
import { clientNodePodAnnotator, type PodAnnotator } from './podAnnotator.js';

export interface AgentOptions {
  readonly kubeConfig: KubeConfig;
  /** The pod's namespace, which is its Gateway's. */
  readonly namespace: string;
  readonly podName: string;
  readonly gateway: string;
  /** The driver of the proxy in this pod; a configuration for another driver is refused. */
  readonly driver: Driver;
  /** Where the configuration goes; the rendered files' own paths must point here. */
  readonly runtimeDir: string;
  readonly logger: Logger;
  /** `[host]:port` for /healthz and /readyz; no health server when absent. */
  readonly healthAddress?: string;
  readonly clock?: Clock;
  readonly timing?: Partial<AgentTiming>;
}

export interface AgentTiming {
  /** How long a reload, or the proxy's first start, may take to serve the new hash. */
  readonly confirmTimeoutMs: number;
  /** Backoff of retried applies and of re-lists after a failed watch. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly watchTimeoutSeconds: number;
}

const DEFAULT_TIMING: AgentTiming = {
  confirmTimeoutMs: 30_000,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  watchTimeoutSeconds: 300,
};

export class Agent {
  private readonly configMap: ObjectWatch;
  private readonly secret: ObjectWatch;
  private readonly applier: Applier;
  private readonly annotator: PodAnnotator;
  private readonly backoff: BackoffOptions;
  private readonly clock: Clock;
  private readonly stopping = new AbortController();
  private health: HealthServer | undefined;
  private listed = false;
  private dirty = false;
  private running = false;
  private drained: Promise<void> = Promise.resolve();
  private failures = 0;
  private retry: Timer | undefined;
  /** Bumped on every change of the ConfigMap or Secret: the identity of the inputs. */
  private inputsVersion = 0;
  private refusedVersion: number | undefined;
  /** The hash the proxy serves since this agent applied it (or found it serving at start). */
  private applied: string | undefined;
  private applying: string | undefined;
  private annotated: string | undefined;
  private waitingFor: string | undefined;

  constructor(private readonly options: AgentOptions) {
    const timing = { ...DEFAULT_TIMING, ...options.timing };
    this.clock = options.clock ?? systemClock;
    this.backoff = {
      baseDelayMs: timing.retryBaseMs,
      maxDelayMs: timing.retryMaxMs,
      jitter: 0.2,
      random: Math.random,
    };
    const transport = clientNodeTransport(options.kubeConfig);
    const watch = (kind: 'ConfigMap' | 'Secret', name: string): ObjectWatch =>
      new ObjectWatch({
        transport,
        collectionPath: collectionPath(apiResource(kind), options.namespace),
        name,
        kind,
        clock: this.clock,
        backoff: this.backoff,
        watchTimeoutSeconds: timing.watchTimeoutSeconds,
        logger: options.logger,
        onChange: (resourceVersion) => this.inputsChanged(kind, resourceVersion),
      });
    this.configMap = watch('ConfigMap', configMapName(options.gateway));
    this.secret = watch('Secret', certificatesSecretName(options.gateway));
    this.applier = new Applier({
      driver: options.driver,
      runtimeDir: options.runtimeDir,
      confirmTimeoutMs: timing.confirmTimeoutMs,
      logger: options.logger,
    });
    this.annotator = clientNodePodAnnotator(options.kubeConfig, {
      namespace: options.namespace,
      name: options.podName,
    });
  }

  async start(): Promise<void> {
    if (this.options.healthAddress !== undefined)
      this.health = await startHealthServer(this.options.healthAddress, () => this.ready());
    this.configMap.start();
    this.secret.start();
    // Nothing is applied before both were listed: a ConfigMap seen before its Secret would look
    // like a configuration waiting for certificates that are in fact there.
    void Promise.all([this.configMap.synced(), this.secret.synced()]).then(() => {
      this.listed = true;
      this.kick();
    });
  }

  /** Where /healthz and /readyz are served, once started with a health address. */
  get healthAddress(): { readonly host: string; readonly port: number } | undefined {
    return this.health?.address;
  }

  /** Stops watching and applying; the proxy keeps running (its container stops it). */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.retry?.cancel();
    await Promise.all([this.configMap.stop(), this.secret.stop()]);
    await this.drained;
    await this.health?.close();
  }

  /**
   * Whether the proxy serves what this agent applied. Not ready before the first apply; after
   * it, a newer configuration still being applied or refused does not take the pod out of its
   * Service (that would turn a bad update into an outage): the stale annotation reports it.
   */
  async ready(): Promise<boolean> {
    if (this.applied === undefined) return false;
    const served = await this.applier.served();
    return served !== undefined && (served === this.applied || served === this.applying);
  }

  private inputsChanged(kind: string, resourceVersion: string | undefined): void {
    this.inputsVersion += 1;
    this.options.logger.debug('Inputs changed', { kind, resourceVersion: resourceVersion ?? 'deleted' });
    this.kick();
  }

  private kick(): void {
    this.dirty = true;
    if (this.running || !this.listed || this.stopping.signal.aborted) return;
    this.running = true;
    this.drained = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty && !this.stopping.signal.aborted) {
        this.dirty = false;
        this.retry?.cancel();
        try {
          await this.step();
          this.failures = 0;
        } catch (error) {
          if (error instanceof ApplyStoppedError || this.stopping.signal.aborted) break;
          this.scheduleRetry(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private scheduleRetry(error: unknown): void {
    this.failures += 1;
    const retryInMs = backoffDelay(this.failures, this.backoff);
    this.options.logger.warn('Applying the configuration failed; retrying after a delay', {
      attempt: this.failures,
      retryInMs,
      error: describeError(error),
    });
    this.retry = this.clock.setTimeout(() => this.kick(), retryInMs);
  }

  private async step(): Promise<void> {
    const version = this.inputsVersion;
    const { driver, logger } = this.options;
    const inputs = readInputs(this.configMap.current, this.secret.current);
    if (inputs.kind === 'absent')
      return this.waiting('Waiting for the operator to publish the configuration');
    if (inputs.kind === 'incomplete')
      return this.waiting('Waiting for the Secret to hold every certificate', { missing: inputs.missing });
    if (inputs.kind === 'invalid') return this.refused(version, undefined, inputs.reason);
    const { config } = inputs;
    this.waitingFor = undefined;
    if (config.driver !== driver.name)
      return this.refused(
        version,
        config.hash,
        `the configuration is for ${config.driver}, this pod runs ${driver.name}`,
      );
    if (this.applied === undefined) {
      // After a restart of this container alone, the proxy still serves what was applied before.
      this.applied = await this.applier.served();
      if (this.applied !== undefined)
        logger.info('The proxy already serves a configuration', { hash: this.applied });
    }
    if (this.applied !== config.hash) {
      if (this.refusedVersion === version) return;
      this.applying = config.hash;
      const outcome = await this.applier.apply(config, this.stopping.signal).finally(() => {
        this.applying = undefined;
      });
      if (outcome.kind === 'refused') return this.refused(version, config.hash, outcome.message);
      this.applied = config.hash;
      logger.info('Configuration applied', { hash: config.hash, reloaded: outcome.reloaded });
    }
    if (this.annotated === config.hash) return;
    await this.annotator.annotateAppliedHash(config.hash);
    this.annotated = config.hash;
  }

  private refused(version: number, hash: string | undefined, reason: string): void {
    if (this.refusedVersion === version) return;
    this.refusedVersion = version;
    this.options.logger.warn('Configuration refused; the previous one keeps serving', {
      hash: hash ?? 'unknown',
      served: this.applied ?? 'none',
      reason,
    });
  }

  /** Logged once per reason, not on every change while it lasts. */
  private waiting(message: string, meta: Record<string, unknown> = {}): void {
    if (this.waitingFor === message) return;
    this.waitingFor = message;
    this.options.logger.info(message, {
      configMap: configMapName(this.options.gateway),
      secret: certificatesSecretName(this.options.gateway),
      ...meta,
    });
  }
}
