/**
 * The Kubernetes side of the sources layer: list+watch of every kind gateplane reads into the
 * store (with recovery client-node's informer lacks), the API server's view of status-bearing
 * objects for the status writer, and a client-node Lease client for leader election.
 *
 * Must not: interpret Gateway API semantics, write status, or call the reconcile loop (the
 * store's change listeners do that). client-node stays inside this folder and status/kubernetes.
 */
export { KubernetesSource, type KubernetesSourceOptions, type RetryOptions } from './kubernetesSource.js';
export type { InvalidObject } from './collectionSync.js';
export { LiveObjects, parseLiveObject, ROUTE_KINDS, STATUS_KINDS, type LiveObject } from './liveObjects.js';
export { API_RESOURCES, apiResource, apiVersionOf, collectionPath, type ApiResource } from './resources.js';
export { KubeApiError } from './transport.js';
export { clientNodeLeaseClient, type LeaseLocation } from './leaseClient.js';
