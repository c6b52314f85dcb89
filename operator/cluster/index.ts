/**
 * Cluster mode, `gateplane run` (DESIGN §5): the Kubernetes source, leader election, the work
 * queue, and per Gateway validate → publish (provision/) → status from the proxy pods; plus the
 * metrics and health endpoints.
 *
 * Must not: compute Gateway API semantics (model/), render (drivers/), build or write the
 * Gateway's objects itself (provision/), or parse command lines (cli/).
 */
export { ClusterController } from './controller.js';
export type { ClusterControllerOptions, LeaderElectionOptions } from './options.js';
export { HealthServer, parseListenAddress, type HealthServerOptions } from './healthServer.js';
export { ControllerMetrics } from './metrics.js';
export { GATEWAY_PREFIX, STATUS_KEY } from './reconciler.js';
