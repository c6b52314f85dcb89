/**
 * The cluster deployer (DESIGN §5): per Gateway, a ConfigMap with the rendered configuration, a
 * Secret with its certificates, a Deployment running the proxy and the agent, a Service, and the
 * pods' ServiceAccount bound to the agent's role, all owned by the Gateway and written with
 * server-side apply; and whether the proxy pods serve what was published. The ConfigMap and
 * Secret format is the agent's (agent/bundle.ts), so both sides agree by construction.
 *
 * Must not: render or validate (drivers/ and deploy/ do), compute Gateway API semantics
 * (model/), write status (status/), or decide when to run (the cluster controller does).
 */
export {
  APPLIED_HASH_ANNOTATION,
  CLUSTER_TARGET,
  FIELD_MANAGER,
  GATEWAY_LABEL,
  gatewayLabelValue,
  MANAGED_BY_LABEL,
  OWNED_SELECTOR,
  proxyLabels,
  proxyObjectNames,
  RUNTIME_DIR,
  type ProxyObjectNames,
} from './names.js';
export {
  DEFAULT_IMAGE,
  DEFAULT_PROXY_RESOURCES,
  dataPlaneConfigFor,
  proxyPodSettings,
  type ProxyPodSettings,
} from './dataPlaneSettings.js';
export { AGENT_PORT } from './deployment.js';
export {
  desiredObjects,
  servicePorts,
  type DesiredInput,
  type GatewayIdentity,
  type KubeManifest,
  type OwnedKind,
} from './objects.js';
export { httpObjectClient, objectPath, type ObjectClient, type ObjectRef } from './objectClient.js';
export {
  OwnedObjects,
  type OwnedObjectsOptions,
  type WatchedKind,
  type WatchedObject,
} from './ownedObjects.js';
export { gatewaysWithObjects, holds, OWNED_KINDS, Provisioner, type ProvisionResult } from './provisioner.js';
export { proxyReadiness, serviceAddresses, type ProxyReadiness } from './readiness.js';
