/**
 * Routes with invalid references (Appendix A.24–A.30): the route stays Accepted, ResolvedRefs
 * turns False with the spec's reason, and the broken rule answers exactly 500; routes whose
 * parentRef cannot attach get no accepted parent and are not counted.
 */
import {
  APP,
  backend,
  GATEWAY_GROUP,
  httpRoute,
  INFRA,
  pathPrefix,
  referenceGrant,
  sameNamespaceRoute,
  WEB,
  type JsonValue,
} from './manifests.js';
import { expectAll } from './roundTrip.js';
import { answered, infra, served } from './steps.js';
import type { ConformanceTest, TestContext } from './suite.js';

const SAME_NAMESPACE = infra('same-namespace');

/** ACCEPT, ResolvedRefs=False with `reason`, then GET `path` → 500 (A.24–A.26, A.29). */
async function acceptedButUnresolved(
  t: TestContext,
  route: string,
  reason: string,
  path: string,
): Promise<void> {
  const address = await t.routes.gatewayAndHTTPRoutesMustBeAccepted(SAME_NAMESPACE, [infra(route)]);
  await t.routes.httpRouteMustHaveCondition(infra(route), SAME_NAMESPACE, {
    type: 'ResolvedRefs',
    status: 'False',
    reason,
  });
  await expectAll(address, [answered(path, 500)]);
}

/** A.24: a backendRef of an unknown kind. */
const invalidBackendRefUnknownKind: ConformanceTest = {
  name: 'HTTPRouteInvalidBackendRefUnknownKind',
  parallel: false,
  manifests: [
    sameNamespaceRoute('invalid-backend-ref-unknown-kind', [
      {
        backendRefs: [backend('infra-backend-v1', { group: 'unknownkind.example.com', kind: 'NonExistent' })],
      },
    ]),
  ],
  run: (t) => acceptedButUnresolved(t, 'invalid-backend-ref-unknown-kind', 'InvalidKind', '/v2'),
};

/** A.25: a backendRef to a Service that does not exist. */
const invalidNonExistentBackendRef: ConformanceTest = {
  name: 'HTTPRouteInvalidNonExistentBackendRef',
  parallel: false,
  manifests: [
    sameNamespaceRoute('invalid-nonexistent-backend-ref', [
      { backendRefs: [backend('nonexistent', { namespace: INFRA })] },
    ]),
  ],
  run: (t) => acceptedButUnresolved(t, 'invalid-nonexistent-backend-ref', 'BackendNotFound', '/'),
};

/** A.26: a backendRef to another namespace without a ReferenceGrant. */
const invalidCrossNamespaceBackendRef: ConformanceTest = {
  name: 'HTTPRouteInvalidCrossNamespaceBackendRef',
  parallel: false,
  manifests: [
    sameNamespaceRoute('invalid-cross-namespace-backend-ref', [
      { backendRefs: [backend('web-backend', { namespace: WEB })] },
    ]),
  ],
  run: (t) => acceptedButUnresolved(t, 'invalid-cross-namespace-backend-ref', 'RefNotPermitted', '/'),
};

/** No accepted parent, and `same-namespace` counts no route (A.27 and A.28). */
async function notAttached(t: TestContext, route: { name: string; namespace: string }): Promise<void> {
  await t.routes.httpRouteMustHaveNoAcceptedParents(route);
  await t.gateways.gatewayMustHaveZeroRoutes(SAME_NAMESPACE);
}

/** A.27: a route from another namespace on a `from: Same` listener. */
const invalidCrossNamespaceParentRef: ConformanceTest = {
  name: 'HTTPRouteInvalidCrossNamespaceParentRef',
  parallel: false,
  manifests: [
    httpRoute(
      'invalid-cross-namespace-parent-ref',
      {
        parentRefs: [{ name: 'same-namespace', namespace: INFRA }],
        rules: [{ backendRefs: [backend('web-backend')] }],
      },
      WEB,
    ),
  ],
  async run(t) {
    const route = { name: 'invalid-cross-namespace-parent-ref', namespace: WEB };
    await t.routes.httpRouteMustHaveCondition(route, SAME_NAMESPACE, {
      type: 'ResolvedRefs',
      status: 'True',
      reason: 'ResolvedRefs',
    });
    await t.routes.httpRouteMustHaveCondition(route, SAME_NAMESPACE, {
      type: 'Accepted',
      status: 'False',
      reason: 'NotAllowedByListeners',
    });
    await notAttached(t, route);
  },
};

/** A.28: a sectionName no listener has. */
const invalidParentRefNotMatchingSectionName: ConformanceTest = {
  name: 'HTTPRouteInvalidParentRefNotMatchingSectionName',
  parallel: false,
  manifests: [
    httpRoute('httproute-listener-not-matching-section-name', {
      parentRefs: [{ name: 'same-namespace', namespace: INFRA, port: 80, sectionName: 'http1' }],
      rules: [{ backendRefs: [backend('infra-backend-v1', { kind: 'Service' })] }],
    }),
  ],
  async run(t) {
    const route = infra('httproute-listener-not-matching-section-name');
    await t.routes.httpRouteMustHaveCondition(route, SAME_NAMESPACE, {
      type: 'Accepted',
      status: 'False',
      reason: 'NoMatchingParent',
    });
    await notAttached(t, route);
  },
};

const FROM_INFRA_ROUTES = { group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: INFRA };
const TO_WEB_BACKEND = { group: '', kind: 'Service', name: 'web-backend' };
const grant = (name: string, namespace: string, from: JsonValue, to: JsonValue) =>
  referenceGrant(name, namespace, { from: [from], to: [to] });

/** A.29: seven ReferenceGrants, each wrong in one field. */
const invalidReferenceGrant: ConformanceTest = {
  name: 'HTTPRouteInvalidReferenceGrant',
  parallel: false,
  manifests: [
    grant('reference-grant-wrong-namespace', INFRA, FROM_INFRA_ROUTES, TO_WEB_BACKEND),
    grant(
      'reference-grant-wrong-from-group',
      WEB,
      { ...FROM_INFRA_ROUTES, group: 'not-the-group-youre-looking-for' },
      TO_WEB_BACKEND,
    ),
    grant('reference-grant-wrong-from-kind', WEB, { ...FROM_INFRA_ROUTES, kind: 'Gateway' }, TO_WEB_BACKEND),
    grant(
      'reference-grant-wrong-from-namespace',
      WEB,
      { ...FROM_INFRA_ROUTES, namespace: 'not-the-namespace-youre-looking-for' },
      TO_WEB_BACKEND,
    ),
    grant('reference-grant-wrong-to-group', WEB, FROM_INFRA_ROUTES, {
      ...TO_WEB_BACKEND,
      group: 'not-the-group-youre-looking-for',
    }),
    grant('reference-grant-wrong-to-kind', WEB, FROM_INFRA_ROUTES, { ...TO_WEB_BACKEND, kind: 'Secret' }),
    grant('reference-grant-wrong-to-name', WEB, FROM_INFRA_ROUTES, {
      group: '',
      kind: 'Secret',
      name: 'not-the-service-youre-looking-for',
    }),
    sameNamespaceRoute('reference-grant', [{ backendRefs: [backend('web-backend', { namespace: WEB })] }]),
  ],
  run: (t) => acceptedButUnresolved(t, 'reference-grant', 'RefNotPermitted', '/'),
};

/** A.30: one rule's backend is granted, the other's is not: only the latter answers 500. */
const partiallyInvalidViaInvalidReferenceGrant: ConformanceTest = {
  name: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
  parallel: false,
  manifests: [
    grant('invalid-reference-grant', APP, FROM_INFRA_ROUTES, {
      group: '',
      kind: 'Service',
      name: 'app-backend-v1',
    }),
    sameNamespaceRoute('invalid-reference-grant', [
      { matches: [pathPrefix('/v2')], backendRefs: [backend('app-backend-v2', { namespace: APP })] },
      { backendRefs: [backend('app-backend-v1', { namespace: APP })] },
    ]),
  ],
  async run(t) {
    const route = infra('invalid-reference-grant');
    const address = await t.routes.gatewayAndHTTPRoutesMustBeAccepted(SAME_NAMESPACE, [route]);
    await t.routes.httpRouteMustHaveCondition(route, SAME_NAMESPACE, {
      type: 'ResolvedRefs',
      status: 'False',
      reason: 'RefNotPermitted',
    });
    await expectAll(address, [answered('/v2', 500), served('/', 'app-backend-v1', { namespace: APP })]);
  },
};

export const HTTP_ROUTE_INVALID_TESTS: readonly ConformanceTest[] = [
  invalidBackendRefUnknownKind,
  invalidNonExistentBackendRef,
  invalidCrossNamespaceBackendRef,
  invalidCrossNamespaceParentRef,
  invalidParentRefNotMatchingSectionName,
  invalidReferenceGrant,
  partiallyInvalidViaInvalidReferenceGrant,
];
