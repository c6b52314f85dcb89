/**
 * The Kubernetes source (DESIGN §5): lists and watches every kind gateplane reads, cluster-wide
 * or in the given namespaces, and keeps the store equal to what the API server holds. One
 * Reflector per collection does the list/watch/recovery; one CollectionSync per collection
 * validates objects and applies them to the store.
 *
 * Failures are handled here, once: logged with the retry delay, then retried. Nothing is thrown
 * to the caller after start().
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { describeError, type Logger } from '../../log.js';
import type { BackoffOptions } from '../../reconcile/backoff.js';
import { systemClock, type Clock } from '../../reconcile/clock.js';
import type { Store } from '../../store/index.js';
import { CollectionSync, type InvalidObject } from './collectionSync.js';
import { LiveObjects } from './liveObjects.js';
import { Reflector } from './reflector.js';
import { API_RESOURCES, apiVersionOf, collectionPath, type ApiResource } from './resources.js';
import { clientNodeTransport, type KubeTransport } from './transport.js';

export interface KubernetesSourceOptions {
  readonly kubeConfig: KubeConfig;
  /** The store in `metadata: 'source'` mode: generation and timestamps come from the API. */
  readonly store: Store;
  readonly logger: Logger;
  /** An object failed validation; it is kept out of the store until it is fixed. */
  readonly onInvalid: (problem: InvalidObject) => void;
  /** Watch namespaced kinds only in these namespaces; cluster-scoped kinds are always watched. */
  readonly namespaces?: readonly string[];
  readonly clock?: Clock;
  readonly retry?: Partial<RetryOptions>;
}

export interface RetryOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How often a kind whose CRD is not installed is looked for again. */
  readonly missingKindRetryMs: number;
  /** Asked of the server per watch; it ends the watch then and we resume without listing. */
  readonly watchTimeoutSeconds: number;
  readonly pageSize: number;
}

const DEFAULT_RETRY: RetryOptions = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  missingKindRetryMs: 60_000,
  watchTimeoutSeconds: 300,
  pageSize: 500,
};

export class KubernetesSource {
  /** The API server's view of status-bearing objects, for the status writer. */
  readonly live = new LiveObjects();
  private readonly reflectors: Reflector[] = [];
  private readonly initialSync: Promise<void>;
  private started = false;
  private rejectSync: (error: Error) => void = () => {};

  constructor(options: KubernetesSourceOptions) {
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    const transport = clientNodeTransport(options.kubeConfig);
    const backoff: BackoffOptions = {
      baseDelayMs: retry.baseDelayMs,
      maxDelayMs: retry.maxDelayMs,
      jitter: 0.2,
      random: Math.random,
    };
    const collections = API_RESOURCES.flatMap((resource): { resource: ApiResource; namespace?: string }[] =>
      resource.namespaced && options.namespaces
        ? options.namespaces.map((namespace) => ({ resource, namespace }))
        : [{ resource }],
    );
    const syncs = collections.map(
      ({ resource, namespace }) =>
        new Promise<void>((resolve) => {
          this.reflectors.push(
            this.reflector({ options, transport, backoff, retry, resource, namespace, resolve }),
          );
        }),
    );
    this.initialSync = Promise.race([
      Promise.all(syncs).then(() => undefined),
      new Promise<void>((_, reject) => (this.rejectSync = reject)),
    ]);
    // stop() before sync rejects it; a caller that never awaits synced() must not see that as unhandled.
    this.initialSync.catch(() => undefined);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const reflector of this.reflectors) reflector.start();
  }

  /** Resolves once every collection was listed once (kinds that are not served count as listed). */
  synced(): Promise<void> {
    return this.initialSync;
  }

  /** Ends every watch, request and timer. */
  async stop(): Promise<void> {
    this.rejectSync(new Error('the Kubernetes source was stopped before its initial lists completed'));
    await Promise.all(this.reflectors.map((reflector) => reflector.stop()));
  }

  private reflector(setup: {
    options: KubernetesSourceOptions;
    transport: KubeTransport;
    backoff: BackoffOptions;
    retry: RetryOptions;
    resource: ApiResource;
    namespace: string | undefined;
    resolve: () => void;
  }): Reflector {
    const { options, resource, namespace, retry } = setup;
    const log = options.logger;
    const where = {
      kind: resource.kind,
      apiVersion: apiVersionOf(resource),
      ...(namespace !== undefined ? { namespace } : {}),
    };
    const sync = new CollectionSync(resource, options.store, this.live, options.onInvalid);
    return new Reflector({
      transport: setup.transport,
      path: collectionPath(resource, namespace),
      clock: options.clock ?? systemClock,
      backoff: setup.backoff,
      missingRetryMs: retry.missingKindRetryMs,
      watchTimeoutSeconds: retry.watchTimeoutSeconds,
      pageSize: retry.pageSize,
      handler: {
        replace: (items) => sync.replace(items),
        event: (type, object) => sync.event(type, object),
        synced: setup.resolve,
        missing: (retryInMs) =>
          log.warn('Kind is not served by the API server (CRD not installed?); skipping it for now', {
            ...where,
            retryInMs,
          }),
        failed: (error, attempt, retryInMs) =>
          log.warn('Listing or watching failed; re-listing after a delay', {
            ...where,
            attempt,
            retryInMs,
            error: describeError(error),
          }),
      },
    });
  }
}
