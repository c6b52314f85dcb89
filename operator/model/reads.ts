/**
 * A store snapshot that remembers what it was asked. A result computed only from what a
 * recording snapshot answered can be reused with a later snapshot that answers the same: the
 * resolver is pure, so the same answers give the same result. Answers are compared by identity
 * (the store keeps the object of an unchanged resource), lists element by element (a snapshot
 * builds its lists anew, from the same objects).
 */
import type { EndpointSlice, Kind, KubeObject, ObjectOfKind, ReferenceGrant } from '../api/kinds.js';
import type { StoreSnapshot } from '../store/index.js';

type Read =
  | { readonly kind: 'list'; readonly of: Kind; readonly answer: readonly KubeObject[] }
  | {
      readonly kind: 'get';
      readonly of: Kind;
      readonly namespace: string;
      readonly name: string;
      readonly answer: KubeObject | undefined;
    }
  | {
      readonly kind: 'endpointSlices';
      readonly namespace: string;
      readonly service: string;
      readonly answer: readonly EndpointSlice[];
    }
  | {
      readonly kind: 'referenceGrants';
      readonly namespace: string;
      readonly answer: readonly ReferenceGrant[];
    }
  /** The version changes with every change: a result that read it is never reused. */
  | { readonly kind: 'version' };

/** What a computation read, and the store version it read it at. */
export interface Reads {
  readonly at: number;
  readonly reads: readonly Read[];
}

export function recordReads(snapshot: StoreSnapshot): {
  readonly snapshot: StoreSnapshot;
  readonly reads: Reads;
} {
  const reads: Read[] = [];
  const recording: StoreSnapshot = {
    get version() {
      reads.push({ kind: 'version' });
      return snapshot.version;
    },
    list<K extends Kind>(of: K) {
      const answer = snapshot.list(of);
      reads.push({ kind: 'list', of, answer });
      return answer;
    },
    get<K extends Kind>(of: K, namespace: string, name: string): ObjectOfKind<K> | undefined {
      const answer = snapshot.get(of, namespace, name);
      reads.push({ kind: 'get', of, namespace, name, answer });
      return answer;
    },
    endpointSlicesFor(namespace, service) {
      const answer = snapshot.endpointSlicesFor(namespace, service);
      reads.push({ kind: 'endpointSlices', namespace, service, answer });
      return answer;
    },
    referenceGrantsIn(namespace) {
      const answer = snapshot.referenceGrantsIn(namespace);
      reads.push({ kind: 'referenceGrants', namespace, answer });
      return answer;
    },
    changedAt: (kind) => snapshot.changedAt(kind),
  };
  return { snapshot: recording, reads: { at: snapshot.version, reads } };
}

const kindOf = (read: Read): Kind | undefined =>
  read.kind === 'list' || read.kind === 'get'
    ? read.of
    : read.kind === 'endpointSlices'
      ? 'EndpointSlice'
      : read.kind === 'referenceGrants'
        ? 'ReferenceGrant'
        : undefined;

/**
 * Whether `snapshot` answers every one of `reads` as it was answered when recorded. A read of a
 * kind no object of which changed since is not asked again: with thousands of routes, that is
 * most reads of every change.
 */
export function readsHold({ at, reads }: Reads, snapshot: StoreSnapshot): boolean {
  return reads.every((read) => {
    const kind = kindOf(read);
    return (kind !== undefined && snapshot.changedAt(kind) <= at) || answersAgain(read, snapshot);
  });
}

function answersAgain(read: Read, snapshot: StoreSnapshot): boolean {
  switch (read.kind) {
    case 'list':
      return sameElements(read.answer, snapshot.list(read.of));
    case 'get':
      return read.answer === snapshot.get(read.of, read.namespace, read.name);
    case 'endpointSlices':
      return sameElements(read.answer, snapshot.endpointSlicesFor(read.namespace, read.service));
    case 'referenceGrants':
      return sameElements(read.answer, snapshot.referenceGrantsIn(read.namespace));
    case 'version':
      return false;
  }
}

function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => item === b[i]));
}
