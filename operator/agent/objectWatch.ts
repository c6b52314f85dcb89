/**
 * One named object, listed and watched with a field selector through the operator's Reflector,
 * so that the agent recovers from dropped watches, 410 Expired and dead connections the way the
 * operator's source does.
 *
 * A change is reported only when the object's resourceVersion changes: a re-list after a
 * dropped watch hands back the same object, and re-applying it would only redo work (or, for a
 * refused configuration, retry what the inputs have not changed).
 */
import { describeError, type Logger } from '../log.js';
import type { BackoffOptions } from '../reconcile/backoff.js';
import type { Clock } from '../reconcile/clock.js';
import { Reflector } from '../sources/kubernetes/reflector.js';
import type { KubeTransport } from '../sources/kubernetes/transport.js';

export interface ObjectWatchOptions {
  readonly transport: KubeTransport;
  /** `/api/v1/namespaces/<ns>/configmaps`: the collection holding the object. */
  readonly collectionPath: string;
  readonly name: string;
  /** For log messages only. */
  readonly kind: string;
  readonly clock: Clock;
  readonly backoff: BackoffOptions;
  readonly watchTimeoutSeconds: number;
  readonly logger: Logger;
  /** The object changed, appeared or went away (then `resourceVersion` is undefined). */
  readonly onChange: (resourceVersion: string | undefined) => void;
}

interface Meta {
  readonly name?: unknown;
  readonly resourceVersion?: unknown;
}

function metaOf(object: unknown): Meta {
  const meta: unknown = (object as { metadata?: unknown } | null)?.metadata;
  return typeof meta === 'object' && meta !== null ? meta : {};
}

/** Adds `fieldSelector` to every list and watch the reflector makes. */
function selecting(transport: KubeTransport, fieldSelector: string): KubeTransport {
  return {
    list: (path, query, signal) => transport.list(path, { ...query, fieldSelector }, signal),
    watch: (path, query, onEvent, onDone) =>
      transport.watch(path, { ...query, fieldSelector }, onEvent, onDone),
  };
}

export class ObjectWatch {
  private object: unknown;
  private version: string | undefined;
  private readonly reflector: Reflector;
  private readonly initialSync: Promise<void>;

  constructor(private readonly options: ObjectWatchOptions) {
    const { name, kind, logger } = options;
    let markSynced: () => void = () => {};
    this.initialSync = new Promise((resolve) => (markSynced = resolve));
    this.reflector = new Reflector({
      transport: selecting(options.transport, `metadata.name=${name}`),
      path: options.collectionPath,
      clock: options.clock,
      backoff: options.backoff,
      // ConfigMaps and Secrets are always served; a 404 list would be a broken API server.
      missingRetryMs: options.backoff.maxDelayMs,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
      pageSize: 1,
      handler: {
        replace: (items) => this.set(items.find((item) => metaOf(item).name === name)),
        event: (type, object) => {
          if (metaOf(object).name !== name) return;
          this.set(type === 'DELETED' ? undefined : object);
        },
        synced: markSynced,
        missing: (retryInMs) => logger.warn('The API server does not serve the kind', { kind, retryInMs }),
        failed: (error, attempt, retryInMs) =>
          logger.warn('Listing or watching failed; re-listing after a delay', {
            kind,
            name,
            attempt,
            retryInMs,
            error: describeError(error),
          }),
      },
    });
  }

  /** The object as last seen; undefined while it does not exist. */
  get current(): unknown {
    return this.object;
  }

  /** Resolves once the first list completed, whether or not it found the object. */
  synced(): Promise<void> {
    return this.initialSync;
  }

  start(): void {
    this.reflector.start();
  }

  stop(): Promise<void> {
    return this.reflector.stop();
  }

  private set(object: unknown): void {
    const resourceVersion = metaOf(object).resourceVersion;
    const version =
      object === undefined ? undefined : typeof resourceVersion === 'string' ? resourceVersion : '';
    if (version === this.version) return;
    this.object = object;
    this.version = version;
    this.options.onChange(version);
  }
}
