// The reconcile layer turns a stream of "this key may have changed" signals into calls to a
// Reconciler: each key runs once per burst of adds, never twice at once, and is retried with
// per-key exponential backoff until it succeeds. Keys are opaque strings.
//
// It must not know what a key means: no Gateway API, Kubernetes, model or driver type is
// imported here, and no event payload is passed on, because a reconciler reads current state.
// It never logs either: failures go to the caller's onError, which owns logging and metrics.
export type { Reconciler, ReconcileResult } from './reconciler.js';
export type { Clock, Timer } from './clock.js';
export { systemClock } from './clock.js';
export type { ReconcileErrorHandler, WorkQueueOptions } from './workQueueOptions.js';
export { WorkQueue } from './workQueue.js';
export {
  LeaderElector,
  LeaseConflictError,
  type LeaderElectorOptions,
  type LeaseClient,
  type LeaseRecord,
  type LeaseSpec,
} from './leaderElection.js';
