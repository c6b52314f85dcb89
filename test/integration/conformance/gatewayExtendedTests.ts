/**
 * GATEWAY-HTTP extended Gateway tests the drivers' claimed features unlock (reference §4.1, §6):
 * a listener on port 8080 next to one on 80.
 */
import { supportsHTTPRoute, type ExpectedListener } from './gatewayStatus.js';
import { backend, gateway, httpRoute, INFRA } from './manifests.js';
import type { ConformanceTest } from './suite.js';

const GATEWAY = 'gateway-with-two-listeners-with-one-attached-route';

/** As GatewayWithAttachedRoutes (A.12): HTTPRoutes from the infra namespace only. */
const INFRA_ONLY = {
  kinds: [{ kind: 'HTTPRoute' }],
  namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': INFRA } } },
};

const listener = (name: string, attachedRoutes: number): ExpectedListener => ({
  name,
  supportedKinds: supportsHTTPRoute,
  conditions: [
    { type: 'Accepted', status: 'True' },
    { type: 'ResolvedRefs', status: 'True' },
  ],
  attachedRoutes,
});

/**
 * §4.1 `GatewayWithAttachedRoutesWithPort8080` (Extended; features Gateway, GatewayPort8080,
 * HTTPRoute; sequential). Listeners `http-unattached` (8080) and `http` (80); a route bound by
 * `sectionName: http` counts on `http` only: attachedRoutes 1 and 0, both listeners Accepted and
 * ResolvedRefs True (`GatewayStatusMustHaveListeners`: exactly these two listeners).
 */
const gatewayWithAttachedRoutesWithPort8080: ConformanceTest = {
  name: 'GatewayWithAttachedRoutesWithPort8080',
  parallel: false,
  manifests: [
    gateway(GATEWAY, [
      { name: 'http-unattached', port: 8080, protocol: 'HTTP', allowedRoutes: INFRA_ONLY },
      { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: INFRA_ONLY },
    ]),
    httpRoute('http-route-1', {
      parentRefs: [{ kind: 'Gateway', name: GATEWAY, namespace: INFRA, sectionName: 'http' }],
      rules: [{ backendRefs: [backend('infra-backend-v1')] }],
    }),
  ],
  async run(t) {
    await t.gateways.gatewayStatusMustHaveListeners({ name: GATEWAY, namespace: INFRA }, [
      listener('http-unattached', 0),
      listener('http', 1),
    ]);
  },
};

export const GATEWAY_EXTENDED_TESTS: readonly ConformanceTest[] = [gatewayWithAttachedRoutesWithPort8080];
