/**
 * Deploy support shared by every deployer (standalone today, the cluster provisioner later):
 * render a model, have the proxy's own binary check it, and when it refuses, set aside the
 * routes that caused it so that their neighbours are still served (DESIGN §1, last paragraph).
 *
 * Must not: start, signal or supervise proxies (that is the deployer's), or compute Gateway API
 * semantics (the model's).
 */
export { ConfigRejectedError, renderValidated, type RejectedRoute, type ValidatedConfig } from './isolate.js';
