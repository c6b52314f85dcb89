/**
 * The mutable cache behind the snapshots. It stamps what the API server would stamp when the
 * source cannot (standalone files): `metadata.generation` starts at 1 and is bumped whenever
 * `spec` changes, and `creationTimestamp` is the time the object was first seen.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Kind, KubeObject } from '../api/kinds.js';
import { objectKey, SnapshotBuilder, type StoreSnapshot } from './snapshot.js';

export interface StoreOptions {
  /** `track`: the store owns generation and creationTimestamp (standalone); `source`: keep them. */
  readonly metadata: 'track' | 'source';
  /** Wall clock for creationTimestamp; injected so tests are deterministic. */
  readonly now?: () => Date;
}

export interface StoreChange {
  readonly kind: Kind;
  readonly namespace: string;
  readonly name: string;
  readonly type: 'added' | 'updated' | 'deleted';
}

export class Store {
  private readonly byKind = new Map<Kind, Map<string, KubeObject>>();
  private version = 0;
  private cached: StoreSnapshot | undefined;
  private readonly builder = new SnapshotBuilder();
  private readonly listeners = new Set<(changes: readonly StoreChange[]) => void>();

  constructor(private readonly options: StoreOptions) {}

  /** Called after every batch that changed something, with what changed. */
  onChange(listener: (changes: readonly StoreChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(kind: Kind, namespace: string, name: string): KubeObject | undefined {
    return this.byKind.get(kind)?.get(objectKey(kind, namespace, name));
  }

  /** Apply upserts and deletions as one batch; listeners hear of it once. */
  apply(
    upserts: readonly KubeObject[],
    deletions: readonly Pick<StoreChange, 'kind' | 'namespace' | 'name'>[] = [],
  ): readonly StoreChange[] {
    const changes: StoreChange[] = [];
    const now = (this.options.now ?? (() => new Date()))();
    for (const object of upserts) {
      const change = this.upsert(object, now);
      if (change) changes.push(change);
    }
    for (const { kind, namespace, name } of deletions) {
      const objects = this.byKind.get(kind);
      const key = objectKey(kind, namespace, name);
      const previous = objects?.get(key);
      if (previous && objects?.delete(key)) {
        this.builder.note(kind, previous, undefined);
        changes.push({ kind, namespace, name, type: 'deleted' });
      }
    }
    if (changes.length > 0) {
      this.version += 1;
      this.cached = undefined;
      for (const listener of this.listeners) listener(changes);
    }
    return changes;
  }

  /** Every key currently held, as `kind/namespace/name`. */
  keys(): string[] {
    return [...this.byKind.values()].flatMap((objects) => [...objects.keys()]);
  }

  snapshot(): StoreSnapshot {
    this.cached ??= this.builder.build(this.version, this.byKind);
    return this.cached;
  }

  private upsert(incoming: KubeObject, now: Date): StoreChange | undefined {
    const { kind } = incoming;
    const { namespace, name } = incoming.metadata;
    const key = objectKey(kind, namespace, name);
    let objects = this.byKind.get(kind);
    if (!objects) this.byKind.set(kind, (objects = new Map<string, KubeObject>()));
    const previous = objects.get(key);
    const object = this.options.metadata === 'track' ? stamp(incoming, previous, now) : incoming;
    if (previous && isDeepStrictEqual(previous, object)) return undefined;
    objects.set(key, object);
    this.builder.note(kind, previous, object);
    return { kind, namespace, name, type: previous ? 'updated' : 'added' };
  }
}

function stamp(incoming: KubeObject, previous: KubeObject | undefined, now: Date): KubeObject {
  const creationTimestamp =
    incoming.metadata.creationTimestamp ||
    previous?.metadata.creationTimestamp ||
    now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  let generation = incoming.metadata.generation;
  if (previous) {
    const specChanged = !isDeepStrictEqual(previous.spec, incoming.spec);
    generation = previous.metadata.generation + (specChanged ? 1 : 0);
  }
  return { ...incoming, metadata: { ...incoming.metadata, generation, creationTimestamp } };
}
