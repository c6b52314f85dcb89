/** ReferenceGrant: whether an object in one namespace may refer to an object in another. */
import type { StoreSnapshot } from '../store/index.js';

export interface ReferenceFrom {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export interface ReferenceTo {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** Same-namespace references need no grant; others need a grant in the target's namespace. */
export function referencePermitted(snapshot: StoreSnapshot, from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  return snapshot
    .referenceGrantsIn(to.namespace)
    .some(
      (grant) =>
        grant.spec.from.some(
          (f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace,
        ) &&
        grant.spec.to.some(
          (t) => t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === to.name),
        ),
    );
}
