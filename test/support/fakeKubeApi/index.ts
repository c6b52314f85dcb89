/**
 * A fake Kubernetes API server for cluster-mode tests (DESIGN §7): real HTTP, real client-node,
 * the API semantics the operator relies on, and hooks for the failures a real cluster has.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { FakeKubeApi } from './server.js';

export { FakeKubeApi, type Fault, type FakeKubeApiOptions, type RecordedRequest } from './server.js';
export { DEFAULT_RESOURCES, type FakeResource } from './resources.js';
export type { Json, JsonObject } from './patches.js';

/**
 * A KubeConfig for the fake server. client-node refuses an http:// server unless TLS
 * verification is off, although there is no TLS to verify.
 */
export function kubeConfigFor(api: FakeKubeApi): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  return kc;
}
