/** An immutable view of the store at one version, with the lookups the resolver needs. */
import type { EndpointSlice, Kind, KubeObject, ObjectOfKind, ReferenceGrant } from '../api/kinds.js';
import { groupBy } from './groupBy.js';

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
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  const x = `${a.metadata.namespace}/${a.metadata.name}`;
  const y = `${b.metadata.namespace}/${b.metadata.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function buildSnapshot(
  version: number,
  byKind: ReadonlyMap<Kind, ReadonlyMap<string, KubeObject>>,
): StoreSnapshot {
  const lists = new Map<Kind, readonly KubeObject[]>();
  for (const [kind, objects] of byKind) lists.set(kind, [...objects.values()].sort(compareObjects));

  const labelled = ((lists.get('EndpointSlice') ?? []) as readonly EndpointSlice[]).filter(
    (slice) => slice.metadata.labels[SERVICE_NAME_LABEL] !== undefined,
  );
  const slicesByService = groupBy(
    labelled,
    (s) => `${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`,
  );
  const grantsByNamespace = groupBy(
    (lists.get('ReferenceGrant') ?? []) as readonly ReferenceGrant[],
    (g) => g.metadata.namespace,
  );

  return {
    version,
    list: <K extends Kind>(kind: K) => (lists.get(kind) ?? []) as readonly ObjectOfKind<K>[],
    get: <K extends Kind>(kind: K, namespace: string, name: string) =>
      byKind.get(kind)?.get(objectKey(kind, namespace, name)) as ObjectOfKind<K> | undefined,
    endpointSlicesFor: (namespace, service) => slicesByService.get(`${namespace}/${service}`) ?? [],
    referenceGrantsIn: (namespace) => grantsByNamespace.get(namespace) ?? [],
  };
}
