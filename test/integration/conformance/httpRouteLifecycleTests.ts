/**
 * HTTPRoutes whose references change under them (Appendix A.31–A.33, A.36): a ReferenceGrant
 * revoked, rules without backends, a patched route, and Services whose EndpointSlices are
 * written by hand after the route exists.
 */
import { backendPods, podsOf } from './backendPods.js';
import {
  backend,
  exactPath,
  GATEWAY_GROUP,
  INFRA,
  pathPrefix,
  referenceGrant,
  sameNamespaceRoute,
  WEB,
  type JsonValue,
  type Manifest,
} from './manifests.js';
import { expectAll } from './roundTrip.js';
import { acceptedWithResolvedRefs, answered, infra, served } from './steps.js';
import type { ConformanceTest } from './suite.js';

const SAME_NAMESPACE = infra('same-namespace');

const WEB_BACKEND_GRANT = referenceGrant('reference-grant', WEB, {
  from: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: INFRA }],
  to: [{ group: '', kind: 'Service', name: 'web-backend' }],
});

/** A.31: a granted cross-namespace backend serves, and answers 500 once the grant is deleted. */
const referenceGrantTest: ConformanceTest = {
  name: 'HTTPRouteReferenceGrant',
  parallel: false,
  manifests: [
    WEB_BACKEND_GRANT,
    sameNamespaceRoute('reference-grant', [{ backendRefs: [backend('web-backend', { namespace: WEB })] }]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('reference-grant')]);
    await expectAll(address, [served('/', 'web-backend', { namespace: WEB })]);
    await t.delete([WEB_BACKEND_GRANT]);
    await expectAll(address, [answered('/', 500)]);
  },
};

/** A.32: a rule without backendRefs, or with an empty list, answers 500; ResolvedRefs stays True. */
const noBackendRefs: ConformanceTest = {
  name: 'HTTPRouteNoBackendRefs',
  parallel: false,
  manifests: [
    sameNamespaceRoute('omitted-backendrefs', [
      { matches: [exactPath('/omitted-no-forward')] },
      { matches: [exactPath('/empty-no-forward')], backendRefs: [] },
      { matches: [pathPrefix('/')], backendRefs: [backend('infra-backend-v1')] },
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('omitted-backendrefs')]);
    await expectAll(address, [
      served('/forward', 'infra-backend-v1'),
      answered('/omitted-no-forward', 500),
      answered('/empty-no-forward', 500),
    ]);
  },
};

const generationRoute = (to: string): Manifest =>
  sameNamespaceRoute('observed-generation-bump', [{ backendRefs: [backend(to)] }]);

/** A.33: after a spec change every parent condition moves to the new generation. */
const observedGenerationBump: ConformanceTest = {
  name: 'HTTPRouteObservedGenerationBump',
  parallel: false,
  manifests: [generationRoute('infra-backend-v1')],
  async run(t) {
    const route = infra('observed-generation-bump');
    await t.gateways.namespacesMustBeReady([INFRA]);
    const before = await t.routes.httpRouteMustHaveLatestConditions(route);
    await t.apply([generationRoute('infra-backend-v2')]);
    await t.routes.httpRouteMustHaveCondition(route, SAME_NAMESPACE, { type: 'Accepted', status: 'True' });
    await t.routes.httpRouteMustHaveResolvedRefsConditionsTrue(route, SAME_NAMESPACE);
    const after = await t.routes.httpRouteMustHaveLatestConditions(route);
    if (after === before) throw new Error(`generation did not change after the patch (still ${before})`);
  },
};

const service = (name: string, spec: Record<string, JsonValue>): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: INFRA },
  spec: { ...spec, ports: [{ name: 'first-port', protocol: 'TCP', port: 8080, targetPort: 3000 }] },
});

const slice = (
  name: string,
  service: string,
  family: 'IPv4' | 'IPv6',
  endpoints: readonly JsonValue[],
): Manifest => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: INFRA, labels: { 'kubernetes.io/service-name': service } },
  addressType: family,
  ports: [{ name: 'first-port', port: 3000, protocol: 'TCP' }],
  endpoints,
});

const MANUAL_SLICES = ['manual-endpointslices', 'headless-manual-endpointslices'].flatMap((svc) => [
  { name: `${svc}-ip4`, service: svc, family: 'IPv4' as const },
  { name: `${svc}-ip6`, service: svc, family: 'IPv6' as const },
]);

/** The infra-backend-v1 pods as slice endpoints, per family (the echo pods are IPv4 only). */
function v1Endpoints(family: 'IPv4' | 'IPv6'): JsonValue[] {
  if (family === 'IPv6') return [];
  return podsOf(backendPods(), 'infra-backend-v1').map((pod) => ({
    addresses: [pod.address],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', name: pod.name, namespace: pod.namespace },
  }));
}

/**
 * A.36: backends come from EndpointSlices (port by name), whatever the Service type. `headless`
 * has a selector, so its slice is the one Kubernetes' endpoints controller would create with it.
 */
const serviceTypes: ConformanceTest = {
  name: 'HTTPRouteServiceTypes',
  parallel: false,
  manifests: [
    service('manual-endpointslices', {}),
    service('headless', { clusterIP: 'None', selector: { app: 'infra-backend-v1' } }),
    slice('headless-selector-slice', 'headless', 'IPv4', v1Endpoints('IPv4')),
    service('headless-manual-endpointslices', { clusterIP: 'None' }),
    ...MANUAL_SLICES.map((s) => slice(s.name, s.service, s.family, [])),
    sameNamespaceRoute(
      'service-types',
      ['manual-endpointslices', 'headless', 'headless-manual-endpointslices'].map((name) => ({
        matches: [exactPath(`/${name}`)],
        backendRefs: [backend(name)],
      })),
    ),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('service-types')]);
    // The test patches the hand-made slices only now, after the route is accepted.
    await t.apply(MANUAL_SLICES.map((s) => slice(s.name, s.service, s.family, v1Endpoints(s.family))));
    await expectAll(
      address,
      ['/manual-endpointslices', '/headless', '/headless-manual-endpointslices'].map((p) =>
        served(p, 'infra-backend-v1'),
      ),
    );
  },
};

export const HTTP_ROUTE_LIFECYCLE_TESTS: readonly ConformanceTest[] = [
  referenceGrantTest,
  noBackendRefs,
  observedGenerationBump,
  serviceTypes,
];
