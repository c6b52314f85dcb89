/**
 * Keeps the store equal to one watched collection (a kind, cluster-wide or in one namespace):
 * every object is validated by parseObject at this edge, and what fails validation is reported
 * and kept out of the store, as the files source does. Status-bearing kinds are also mirrored,
 * raw, into LiveObjects for the status writer.
 */
import { parseObject, type Kind, type KubeObject } from '../../api/kinds.js';
import type { Store } from '../../store/index.js';
import { parseLiveObject, STATUS_KINDS, type LiveObjects } from './liveObjects.js';
import type { ReflectorHandler, WatchEventType } from './reflector.js';
import { apiVersionOf, type ApiResource } from './resources.js';

export interface InvalidObject {
  readonly kind: Kind;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

interface Identity {
  readonly namespace: string;
  readonly name: string;
}

const keyOf = (id: Identity): string => `${id.namespace}/${id.name}`;

export class CollectionSync implements Pick<ReflectorHandler, 'replace' | 'event'> {
  /** Objects this collection put in the store, by `namespace/name`. */
  private inStore = new Map<string, Identity>();
  private inLive = new Map<string, Identity>();
  /** The last reason reported per object, so an unchanged problem is reported once. */
  private readonly reported = new Map<string, string>();
  private readonly tracksStatus: boolean;

  constructor(
    private readonly resource: ApiResource,
    private readonly store: Store,
    private readonly live: LiveObjects,
    private readonly onInvalid: (problem: InvalidObject) => void,
  ) {
    this.tracksStatus = STATUS_KINDS.includes(resource.kind);
  }

  replace(items: readonly unknown[]): void {
    const upserts: KubeObject[] = [];
    const stored = new Map<string, Identity>();
    const live = new Map<string, Identity>();
    for (const raw of items) {
      const id = this.identity(raw);
      if (!id) continue;
      if (this.mirror(raw, id)) live.set(keyOf(id), id);
      const object = this.parse(raw, id);
      if (!object) continue;
      upserts.push(object);
      stored.set(keyOf(id), id);
    }
    const gone = [...this.inStore].filter(([key]) => !stored.has(key)).map(([, id]) => this.ref(id));
    for (const [key, id] of this.inLive)
      if (!live.has(key)) this.live.delete(this.resource.kind, id.namespace, id.name);
    for (const key of this.reported.keys()) if (!live.has(key) && !stored.has(key)) this.reported.delete(key);
    this.inStore = stored;
    this.inLive = live;
    this.store.apply(upserts, gone);
  }

  event(type: WatchEventType, raw: unknown): void {
    const id = this.identity(raw);
    if (!id) return;
    const key = keyOf(id);
    if (type === 'DELETED') {
      this.reported.delete(key);
      this.inLive.delete(key);
      this.live.delete(this.resource.kind, id.namespace, id.name);
      if (this.inStore.delete(key)) this.store.apply([], [this.ref(id)]);
      return;
    }
    if (this.mirror(raw, id)) this.inLive.set(key, id);
    const object = this.parse(raw, id);
    if (object) {
      this.inStore.set(key, id);
      this.store.apply([object]);
    } else if (this.inStore.delete(key)) {
      // An update made it invalid: it leaves the store, as a file with the same mistake would.
      this.store.apply([], [this.ref(id)]);
    }
  }

  private ref(id: Identity): { kind: Kind; namespace: string; name: string } {
    return { kind: this.resource.kind, ...id };
  }

  private identity(raw: unknown): Identity | undefined {
    const meta = (raw as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
    if (typeof meta?.name !== 'string' || meta.name === '') {
      this.onInvalid({ kind: this.resource.kind, namespace: '', name: '', reason: 'metadata.name: missing' });
      return undefined;
    }
    const namespace = this.resource.namespaced && typeof meta.namespace === 'string' ? meta.namespace : '';
    return { namespace, name: meta.name };
  }

  private mirror(raw: unknown, id: Identity): boolean {
    if (!this.tracksStatus) return false;
    const live = parseLiveObject(this.resource.kind, raw);
    if (live) this.live.set(live);
    else this.live.delete(this.resource.kind, id.namespace, id.name);
    return live !== undefined;
  }

  private parse(raw: unknown, id: Identity): KubeObject | undefined {
    // Built-in kinds' list items carry no apiVersion/kind: the collection says what they are.
    const typed = { ...(raw as object), apiVersion: apiVersionOf(this.resource), kind: this.resource.kind };
    const result = parseObject(typed);
    const key = keyOf(id);
    if (result.outcome === 'ok') {
      this.reported.delete(key);
      return result.object;
    }
    const reason =
      result.outcome === 'invalid'
        ? result.reason
        : `${result.apiVersion} ${result.kind} is not a kind gateplane reads`;
    if (this.reported.get(key) !== reason) {
      this.reported.set(key, reason);
      this.onInvalid({ kind: this.resource.kind, ...id, reason });
    }
    return undefined;
  }
}
