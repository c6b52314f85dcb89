/**
 * What the API server holds of the objects we create, and of the proxy pods, through the same
 * list+watch Reflector as the Kubernetes source, filtered by our labels. The provisioner compares
 * against it to skip applies that would change nothing; readiness reads pods and Services from it;
 * every change is announced so that Programmed and addresses follow without polling.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { describeError, type Logger } from '../log.js';
import type { BackoffOptions } from '../reconcile/backoff.js';
import { systemClock, type Clock } from '../reconcile/index.js';
import { Reflector } from '../sources/kubernetes/reflector.js';
import { clientNodeTransport, type KubeTransport } from '../sources/kubernetes/transport.js';
import { OWNED_SELECTOR } from './names.js';
import type { OwnedKind } from './objects.js';

export type WatchedKind = OwnedKind | 'Pod';

const metadataShape = z.object({
  name: z.string().min(1),
  namespace: z.string().default(''),
  resourceVersion: z.string().default(''),
  labels: z
    .record(z.string(), z.string())
    .nullish()
    .transform((v) => v ?? {}),
  annotations: z
    .record(z.string(), z.string())
    .nullish()
    .transform((v) => v ?? {}),
  ownerReferences: z
    .array(z.object({ kind: z.string(), name: z.string(), uid: z.string().default('') }))
    .nullish()
    .transform((v) => v ?? []),
  deletionTimestamp: z.string().nullish(),
});

export interface WatchedObject {
  readonly kind: WatchedKind;
  readonly metadata: z.output<typeof metadataShape>;
  /** The object as the API server sent it, for comparisons and the fields readers parse. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface OwnedObjectsOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Something changed (or was re-listed): the new state, or the last one when `gone`. */
  readonly onChange: (object: WatchedObject, gone: boolean) => void;
  readonly namespaces?: readonly string[];
  readonly clock?: Clock;
  readonly backoff?: Partial<Pick<BackoffOptions, 'baseDelayMs' | 'maxDelayMs'>>;
  readonly watchTimeoutSeconds?: number;
}

const COLLECTIONS: Readonly<Record<WatchedKind, { base: string; plural: string }>> = {
  ServiceAccount: { base: '/api/v1', plural: 'serviceaccounts' },
  RoleBinding: { base: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings' },
  ConfigMap: { base: '/api/v1', plural: 'configmaps' },
  Secret: { base: '/api/v1', plural: 'secrets' },
  Service: { base: '/api/v1', plural: 'services' },
  Pod: { base: '/api/v1', plural: 'pods' },
  Deployment: { base: '/apis/apps/v1', plural: 'deployments' },
};

const keyOf = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

/** Only our objects: the label selector goes on every list and watch. */
function selecting(transport: KubeTransport): KubeTransport {
  const withSelector = (query: Readonly<Record<string, string>>) => ({
    ...query,
    labelSelector: OWNED_SELECTOR,
  });
  return {
    list: (path, query, signal) => transport.list(path, withSelector(query), signal),
    watch: (path, query, onEvent, onDone) => transport.watch(path, withSelector(query), onEvent, onDone),
  };
}

export function parseWatched(kind: WatchedKind, raw: unknown): WatchedObject | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const metadata = metadataShape.safeParse((raw as { metadata?: unknown }).metadata);
  if (!metadata.success) return undefined;
  return { kind, metadata: metadata.data, raw: raw as Record<string, unknown> };
}

export class OwnedObjects {
  private readonly objects = new Map<string, WatchedObject>();
  private readonly reflectors: Reflector[] = [];
  private readonly initialSync: Promise<void>;

  constructor(private readonly options: OwnedObjectsOptions) {
    const transport = selecting(clientNodeTransport(options.kubeConfig));
    const scopes: (string | undefined)[] = options.namespaces ? [...options.namespaces] : [undefined];
    const syncs: Promise<void>[] = [];
    for (const kind of Object.keys(COLLECTIONS) as WatchedKind[]) {
      for (const namespace of scopes) {
        syncs.push(
          new Promise((resolve) => this.reflectors.push(this.reflector(transport, kind, namespace, resolve))),
        );
      }
    }
    this.initialSync = Promise.all(syncs).then(() => undefined);
  }

  start(): void {
    for (const reflector of this.reflectors) reflector.start();
  }

  /** Every collection was listed once. */
  synced(): Promise<void> {
    return this.initialSync;
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((reflector) => reflector.stop()));
  }

  get(kind: WatchedKind, namespace: string, name: string): WatchedObject | undefined {
    return this.objects.get(keyOf(kind, namespace, name));
  }

  list(kind: WatchedKind, namespace?: string): WatchedObject[] {
    return [...this.objects.values()].filter(
      (o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace),
    );
  }

  /** A write's result, known before the watch brings it: later events replace it. */
  remember(kind: WatchedKind, raw: unknown): void {
    const object = parseWatched(kind, raw);
    if (object) this.objects.set(keyOf(kind, object.metadata.namespace, object.metadata.name), object);
  }

  forget(kind: WatchedKind, namespace: string, name: string): void {
    this.objects.delete(keyOf(kind, namespace, name));
  }

  private reflector(
    transport: KubeTransport,
    kind: WatchedKind,
    namespace: string | undefined,
    synced: () => void,
  ): Reflector {
    const { base, plural } = COLLECTIONS[kind];
    const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
    const where = { kind, ...(namespace !== undefined ? { namespace } : {}) };
    const log = this.options.logger;
    return new Reflector({
      transport,
      path: `${base}${scope}/${plural}`,
      clock: this.options.clock ?? systemClock,
      backoff: {
        baseDelayMs: this.options.backoff?.baseDelayMs ?? 500,
        maxDelayMs: this.options.backoff?.maxDelayMs ?? 30_000,
        jitter: 0.2,
        random: Math.random,
      },
      missingRetryMs: 60_000,
      watchTimeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      pageSize: 500,
      handler: {
        replace: (items) => this.replace(kind, namespace, items),
        event: (type, raw) => this.event(kind, type === 'DELETED', raw),
        synced,
        missing: (retryInMs) =>
          log.warn('Kind is not served by the API server; skipping it for now', { ...where, retryInMs }),
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

  private replace(kind: WatchedKind, namespace: string | undefined, items: readonly unknown[]): void {
    const fresh = new Map<string, WatchedObject>();
    for (const raw of items) {
      const object = parseWatched(kind, raw);
      if (object) fresh.set(keyOf(kind, object.metadata.namespace, object.metadata.name), object);
    }
    const gone = this.list(kind, namespace).filter(
      (o) => !fresh.has(keyOf(kind, o.metadata.namespace, o.metadata.name)),
    );
    for (const object of gone)
      this.objects.delete(keyOf(kind, object.metadata.namespace, object.metadata.name));
    for (const [key, object] of fresh) this.objects.set(key, object);
    for (const object of gone) this.options.onChange(object, true);
    for (const object of fresh.values()) this.options.onChange(object, false);
  }

  private event(kind: WatchedKind, deleted: boolean, raw: unknown): void {
    const object = parseWatched(kind, raw);
    if (!object) return;
    const key = keyOf(kind, object.metadata.namespace, object.metadata.name);
    if (deleted) this.objects.delete(key);
    else this.objects.set(key, object);
    this.options.onChange(object, deleted);
  }
}
