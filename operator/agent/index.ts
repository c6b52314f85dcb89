/**
 * The in-cluster agent (`gateplane agent`), one per proxy pod: watches its Gateway's ConfigMap
 * and Secret, writes the configuration into the runtime directory it shares with the proxy
 * container, has the proxy's own binary check it, reloads the proxy, confirms through the status
 * socket, and annotates its pod with the hash it serves. bundle.ts is the ConfigMap/Secret format,
 * shared with the operator's provisioner.
 *
 * Must not: render (the operator does), start or stop the proxy (its container does), or write
 * anything to the API but its own pod's annotation.
 */
export { Agent, type AgentOptions, type AgentTiming } from './agent.js';
export {
  APPLIED_HASH_ANNOTATION,
  CERTIFICATES_KEY,
  certificatesSecretName,
  COMPRESS_ABOVE_BYTES,
  configMapName,
  DRIVER_KEY,
  fromBundle,
  HASH_KEY,
  IncompleteBundleError,
  InvalidBundleError,
  MAIN_KEY,
  toBundle,
  type BundleOptions,
  type ConfigBundle,
  type ConfigMapContent,
  type SecretContent,
} from './bundle.js';
export { parseListenAddress } from './healthServer.js';
