/**
 * The status layer: turns the resolver's computed status and the deployer's reports into what
 * the Kubernetes API would hold, and writes it. It stamps `lastTransitionTime` (only when a
 * condition's status changes), fills Gateway addresses and the Programmed conditions from what
 * the data plane really serves, and writes only what changed.
 *
 * Must not: compute Gateway API semantics (model/ does) or touch proxies (drivers/ do).
 */
export { mergeDataPlaneReports, type DataPlaneReport } from './dataPlane.js';
export { StatusStamper, type StampedStatus } from './stamp.js';
export { statusDocument, writeStatusFile } from './statusFile.js';
