/** An immutable view of the store at one version, with the lookups the resolver needs. */
import type { EndpointSlice, Kind, KubeObject, ObjectOfKind, ReferenceGrant } from '../api/kinds.js';
import { groupBy } from './groupBy.js';
import { lowerBound } from './sorted.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface StoreSnapshot {
  /** Increases with every change to the store. */
  readonly version: number;
  /** Every object of `kind`, sorted by namespace then name. */
  list<K extends Kind>(kind: K): readonly ObjectOfKind<K>[];
  get<K extends Kind>(kind: K, namespace: string, name: string): ObjectOfKind<K> | undefined;
  /** EndpointSlices labelled `kubernetes.io/service-name: <name>` in the Service's namespace. */
  endpointSlicesFor(namespace: string, service: string): readonly EndpointSlice[];
  referenceGrantsIn(namespace: string): readonly ReferenceGrant[];
  /**
   * The version at which an object of `kind` last changed (0: none ever did): a result computed
   * at version V from objects of kinds that have not changed since still holds.
   */
  changedAt(kind: Kind): number;
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

const sortKey = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.name}`;

/** The order of `StoreSnapshot.list`: by namespace, then name. */
export function compareObjects(a: KubeObject, b: KubeObject): number {
  const x = sortKey(a);
  const y = sortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The lists and indexes of one snapshot, kept for the next: a kind that did not change keeps its own. */
interface Built {
  readonly lists: ReadonlyMap<Kind, readonly KubeObject[]>;
  readonly changedAt: ReadonlyMap<Kind, number>;
  readonly slicesByService: ReadonlyMap<string, readonly EndpointSlice[]>;
  readonly grantsByNamespace: ReadonlyMap<string, readonly ReferenceGrant[]>;
}

/**
 * Builds snapshots from the store's maps. Told each object that changed since the last one, it
 * rebuilds only the lists of kinds that changed, and those by taking the changed objects out of
 * the previous sorted list and putting the new ones in place, rather than sorting thousands of
 * routes again for each one that changed.
 */
export class SnapshotBuilder {
  private built: Built | undefined;
  /** Per kind changed since the last build: each object that entered or left, as it ends. */
  private readonly changed = new Map<Kind, Map<KubeObject, 'in' | 'out'>>();

  /** `before` left the store (updated or deleted), `after` entered it (added or updated). */
  note(kind: Kind, before: KubeObject | undefined, after: KubeObject | undefined): void {
    let change = this.changed.get(kind);
    if (!change) this.changed.set(kind, (change = new Map<KubeObject, 'in' | 'out'>()));
    if (before) change.set(before, 'out');
    if (after) change.set(after, 'in');
  }

  build(version: number, byKind: ReadonlyMap<Kind, ReadonlyMap<string, KubeObject>>): StoreSnapshot {
    const previous = this.built;
    const lists = new Map<Kind, readonly KubeObject[]>();
    for (const [kind, objects] of byKind) {
      const change = this.changed.get(kind);
      const kept = previous?.lists.get(kind);
      if (kept && !change) lists.set(kind, kept);
      else if (kept && change && change.size <= Math.max(16, kept.length / 16))
        lists.set(kind, spliced(kept, change));
      else lists.set(kind, [...objects.values()].sort(compareObjects));
    }
    const slicesChanged = !previous || this.changed.has('EndpointSlice');
    const grantsChanged = !previous || this.changed.has('ReferenceGrant');
    const changedAt = new Map(previous?.changedAt);
    for (const kind of this.changed.keys()) changedAt.set(kind, version);
    this.changed.clear();
    const labelled = ((lists.get('EndpointSlice') ?? []) as readonly EndpointSlice[]).filter(
      (slice) => slice.metadata.labels[SERVICE_NAME_LABEL] !== undefined,
    );
    const built: Built = {
      lists,
      changedAt,
      slicesByService:
        slicesChanged || !previous
          ? groupBy(labelled, (s) => `${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`)
          : previous.slicesByService,
      grantsByNamespace:
        grantsChanged || !previous
          ? groupBy(
              (lists.get('ReferenceGrant') ?? []) as readonly ReferenceGrant[],
              (g) => g.metadata.namespace,
            )
          : previous.grantsByNamespace,
    };
    this.built = built;
    return snapshotOf(version, byKind, built);
  }
}

/** `sorted` without the objects that left, and with those that entered, in order. */
function spliced(sorted: readonly KubeObject[], change: ReadonlyMap<KubeObject, 'in' | 'out'>): KubeObject[] {
  const list = sorted.filter((object) => change.get(object) !== 'out');
  for (const [object, state] of change) {
    if (state === 'out') continue;
    const key = sortKey(object);
    const low = lowerBound(list, (other) => sortKey(other) < key);
    // Already there: it left and came back as the same object.
    if (list[low] !== object) list.splice(low, 0, object);
  }
  return list;
}

function snapshotOf(
  version: number,
  byKind: ReadonlyMap<Kind, ReadonlyMap<string, KubeObject>>,
  { lists, changedAt, slicesByService, grantsByNamespace }: Built,
): StoreSnapshot {
  return {
    version,
    list: <K extends Kind>(kind: K) => (lists.get(kind) ?? []) as readonly ObjectOfKind<K>[],
    get: <K extends Kind>(kind: K, namespace: string, name: string) =>
      byKind.get(kind)?.get(objectKey(kind, namespace, name)) as ObjectOfKind<K> | undefined,
    endpointSlicesFor: (namespace, service) => slicesByService.get(`${namespace}/${service}`) ?? [],
    referenceGrantsIn: (namespace) => grantsByNamespace.get(namespace) ?? [],
    changedAt: (kind) => changedAt.get(kind) ?? 0,
  };
}
