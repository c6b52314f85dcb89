/**
 * The store: an in-memory, typed cache of every object the sources saw, keyed by
 * kind/namespace/name, and immutable snapshots of it for the resolver.
 *
 * It knows no Gateway API semantics beyond the indexes the resolver asks for, does no I/O and
 * never calls back into a source. Sources write, the reconcile loop reads snapshots.
 */
export { Store, type StoreChange, type StoreOptions } from './store.js';
export { compareObjects, type StoreSnapshot } from './snapshot.js';
export { lowerBound } from './sorted.js';
