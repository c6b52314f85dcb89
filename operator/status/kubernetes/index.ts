/**
 * Status in cluster mode: writes the computed status through the status subresource, only where
 * it changed, only for objects we own, with optimistic concurrency; route `status.parents`
 * entries of other controllers are left as they are.
 *
 * Must not: compute status (model/ and status/ do) or decide when to write (the reconcile loop
 * does). client-node stays behind StatusClient.
 */
export {
  KubeStatusWriter,
  type LiveStatusView,
  type StatusWriterOptions,
  type WriteSummary,
} from './statusWriter.js';
export {
  clientNodeStatusClient,
  type PatchOutcome,
  type StatusClient,
  type StatusPatch,
  type StatusTarget,
} from './statusClient.js';
export { canonicalJson, sameJson } from './wantedStatus.js';
