/**
 * Gateway listener tests (Appendix A.6, A.7, A.12): live listener changes with generation
 * tracking, and attachedRoutes counting.
 */
import { supportsHTTPRoute, type ExpectedListener } from './gatewayStatus.js';
import {
  backend,
  gateway,
  httpListener,
  httpRoute,
  httpsListener,
  INFRA,
  secretRef,
  type JsonValue,
  type Manifest,
} from './manifests.js';
import type { ConformanceTest, TestContext } from './suite.js';

const SECURE_LISTENER = httpsListener('https', [secretRef('tls-validity-checks-certificate', INFRA)], {
  hostname: 'secure.test.com',
});
const routeTo = (name: string, gatewayName: string, extra: Record<string, JsonValue> = {}): Manifest =>
  httpRoute(name, {
    parentRefs: [{ kind: 'Gateway', name: gatewayName, namespace: INFRA, ...extra }],
    rules: [{ backendRefs: [backend('infra-backend-v1')] }],
  });

const attachedOnce = (name: string): ExpectedListener => ({
  name,
  supportedKinds: supportsHTTPRoute,
  conditions: [
    { type: 'Accepted', status: 'True' },
    { type: 'ResolvedRefs', status: 'True' },
  ],
  attachedRoutes: 1,
});

/** The shared shape of A.6's sub-tests and A.7: ready, patch, ready again, a new generation. */
async function patchListeners(
  t: TestContext,
  name: string,
  listeners: readonly JsonValue[],
  expected?: readonly ExpectedListener[],
): Promise<void> {
  const gw = { name, namespace: INFRA };
  await t.gateways.namespacesMustBeReady([INFRA]);
  const before = await t.gateways.gatewayMustHaveLatestConditions(gw);
  await t.apply([gateway(name, listeners)]);
  await t.gateways.namespacesMustBeReady([INFRA]);
  if (expected) await t.gateways.gatewayStatusMustHaveListeners(gw, expected);
  const after = await t.gateways.gatewayMustHaveLatestConditions(gw);
  if (after === before)
    throw new Error(`Gateway ${name}: generation did not change after the patch (still ${before})`);
}

/** A.6: adding and removing listeners is applied live, and both keep their route. */
const gatewayModifyListeners: ConformanceTest = {
  name: 'GatewayModifyListeners',
  parallel: false,
  manifests: [
    gateway('gateway-add-listener', [SECURE_LISTENER]),
    routeTo('http-route-1', 'gateway-add-listener'),
    gateway('gateway-remove-listener', [SECURE_LISTENER, httpListener('http', 'All')]),
    routeTo('http-route-2', 'gateway-remove-listener'),
  ],
  async run(t) {
    await patchListeners(
      t,
      'gateway-add-listener',
      [SECURE_LISTENER, httpListener('http', 'All', { hostname: 'data.test.com' })],
      [attachedOnce('https'), attachedOnce('http')],
    );
    await patchListeners(t, 'gateway-remove-listener', [httpListener('http', 'All')], [attachedOnce('http')]);
  },
};

/** A.7: a new listener moves every Gateway condition to the new generation. */
const gatewayObservedGenerationBump: ConformanceTest = {
  name: 'GatewayObservedGenerationBump',
  parallel: true,
  manifests: [
    gateway('gateway-observed-generation-bump', [httpListener('http', 'All', { hostname: 'bar.com' })]),
  ],
  async run(t) {
    await patchListeners(t, 'gateway-observed-generation-bump', [
      httpListener('http', 'All', { hostname: 'bar.com' }),
      httpListener('alternate', 'All', { hostname: 'foo.com' }),
    ]);
  },
};

const INFRA_ONLY = {
  kinds: [{ kind: 'HTTPRoute' }],
  namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': INFRA } } },
};

/**
 * A.12: attachedRoutes counts routes accepted on the listener, even on a listener whose
 * certificate is missing, and not a route whose hostnames match no listener.
 */
const gatewayWithAttachedRoutes: ConformanceTest = {
  name: 'GatewayWithAttachedRoutes',
  parallel: false,
  manifests: [
    gateway('gateway-with-one-attached-route', [
      { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: INFRA_ONLY },
    ]),
    routeTo('http-route-1', 'gateway-with-one-attached-route'),
    gateway('gateway-with-two-attached-routes', [
      { name: 'http', port: 80, protocol: 'HTTP', hostname: 'foo.example.com', allowedRoutes: INFRA_ONLY },
    ]),
    routeTo('http-route-2', 'gateway-with-two-attached-routes'),
    routeTo('http-route-3', 'gateway-with-two-attached-routes'),
    httpRoute('http-route-not-accepted', {
      parentRefs: [{ kind: 'Gateway', name: 'gateway-with-two-attached-routes', namespace: INFRA }],
      hostnames: ['not-accepted.test.com'],
      rules: [{ backendRefs: [backend('infra-backend-v1')] }],
    }),
    gateway(
      'unresolved-gateway-with-one-attached-unresolved-route',
      [
        {
          name: 'tls',
          port: 443,
          protocol: 'HTTPS',
          allowedRoutes: INFRA_ONLY,
          tls: { mode: 'Terminate', certificateRefs: [secretRef('does-not-exist')] },
        },
      ],
      { skipReadiness: true },
    ),
    httpRoute('http-route-4', {
      parentRefs: [
        {
          kind: 'Gateway',
          name: 'unresolved-gateway-with-one-attached-unresolved-route',
          namespace: INFRA,
          sectionName: 'tls',
        },
      ],
      rules: [{ backendRefs: [backend('does-not-exist')] }],
    }),
  ],
  async run(t) {
    await t.gateways.gatewayStatusMustHaveListeners(
      { name: 'gateway-with-one-attached-route', namespace: INFRA },
      [attachedOnce('http')],
    );
    const two = { name: 'gateway-with-two-attached-routes', namespace: INFRA };
    await t.gateways.gatewayStatusMustHaveListeners(two, [{ ...attachedOnce('http'), attachedRoutes: 2 }]);
    await t.routes.httpRouteMustHaveCondition({ name: 'http-route-not-accepted', namespace: INFRA }, two, {
      type: 'Accepted',
      status: 'False',
      reason: 'NoMatchingListenerHostname',
    });
    const unresolved = { name: 'unresolved-gateway-with-one-attached-unresolved-route', namespace: INFRA };
    await t.gateways.gatewayStatusMustHaveListeners(unresolved, [
      {
        name: 'tls',
        supportedKinds: supportsHTTPRoute,
        conditions: [
          { type: 'Programmed', status: 'False' },
          { type: 'ResolvedRefs', status: 'False' },
        ],
        attachedRoutes: 1,
      },
    ]);
    await t.routes.httpRouteMustHaveCondition({ name: 'http-route-4', namespace: INFRA }, unresolved, {
      type: 'ResolvedRefs',
      status: 'False',
    });
  },
};

export const GATEWAY_LISTENER_TESTS: readonly ConformanceTest[] = [
  gatewayModifyListeners,
  gatewayObservedGenerationBump,
  gatewayWithAttachedRoutes,
];
