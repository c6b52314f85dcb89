/**
 * Hostnames, listeners and Gateways (Appendix A.20–A.23): route/listener hostname intersection,
 * the most specific listener winning, HTTPS with SNI, and one route on two Gateways.
 */
import { backend, httpListener, gateway, httpRoute, INFRA, pathPrefix, type JsonValue } from './manifests.js';
import { expectAll, type Tls } from './roundTrip.js';
import { acceptedWithResolvedRefs, answered, infra, served } from './steps.js';
import type { ConformanceTest } from './suite.js';

const V1 = 'infra-backend-v1';
const V2 = 'infra-backend-v2';
const V3 = 'infra-backend-v3';

const INTERSECTION = 'httproute-hostname-intersection';
const INTERSECTION_ALL = 'httproute-hostname-intersection-all';
const hostRoute = (name: string, parent: string, hostnames: readonly string[], rule: JsonValue) =>
  httpRoute(name, { parentRefs: [{ name: parent, namespace: INFRA }], hostnames, rules: [rule] });
const prefixTo = (prefix: string, to: string): JsonValue => ({
  matches: [pathPrefix(prefix)],
  backendRefs: [backend(to)],
});

const INTERSECTING_ROUTES = [
  'specific-host-matches-listener-specific-host',
  'specific-host-matches-listener-wildcard-host',
  'wildcard-host-matches-listener-specific-host',
  'wildcard-host-matches-listener-wildcard-host',
].map(infra);

/** A.20: routes attach where their hostnames intersect a listener's; the Host's port is ignored. */
const hostnameIntersection: ConformanceTest = {
  name: 'HTTPRouteHostnameIntersection',
  parallel: false,
  manifests: [
    gateway(INTERSECTION, [
      httpListener('listener-1', 'Same', { hostname: 'very.specific.com' }),
      httpListener('listener-2', 'Same', { hostname: '*.wildcard.io' }),
      httpListener('listener-3', 'Same', { hostname: '*.anotherwildcard.io' }),
    ]),
    gateway(INTERSECTION_ALL, [httpListener('listener-1', 'Same')]),
    hostRoute(
      'specific-host-matches-listener-specific-host',
      INTERSECTION,
      ['non.matching.com', '*.nonmatchingwildcard.io', 'very.specific.com'],
      prefixTo('/s1', V1),
    ),
    hostRoute(
      'specific-host-matches-listener-wildcard-host',
      INTERSECTION,
      ['non.matching.com', 'wildcard.io', 'foo.wildcard.io', 'bar.wildcard.io', 'foo.bar.wildcard.io'],
      prefixTo('/s2', V2),
    ),
    hostRoute(
      'wildcard-host-matches-listener-specific-host',
      INTERSECTION,
      ['non.matching.com', '*.specific.com'],
      prefixTo('/s3', V3),
    ),
    hostRoute(
      'wildcard-host-matches-listener-wildcard-host',
      INTERSECTION,
      ['*.anotherwildcard.io'],
      prefixTo('/s4', V1),
    ),
    hostRoute(
      'no-intersecting-hosts',
      INTERSECTION,
      ['specific.but.wrong.com', 'wildcard.io'],
      prefixTo('/s5', V2),
    ),
    hostRoute(
      INTERSECTION_ALL,
      INTERSECTION_ALL,
      ['first.com', 'sub.first.com', 'second.com', 'sub.second.com'],
      {
        backendRefs: [backend(V2)],
      },
    ),
  ],
  async run(t) {
    await t.gateways.namespacesMustBeReady([INFRA]);
    const gw = infra(INTERSECTION);
    const address = await acceptedWithResolvedRefs(t, gw, INTERSECTING_ROUTES);
    const at = (host: string) => ({ host });
    await expectAll(address, [
      served('/s1', V1, at('very.specific.com')),
      served('/s1', V1, at('very.specific.com:1234')),
      ...['non.matching.com', 'foo.nonmatchingwildcard.io', 'foo.wildcard.io'].map((h) =>
        answered('/s1', 404, at(h)),
      ),
      answered('/non-matching-prefix', 404, at('very.specific.com')),
      ...['foo.wildcard.io', 'bar.wildcard.io', 'foo.bar.wildcard.io'].map((h) => served('/s2', V2, at(h))),
      ...['non.matching.com', 'wildcard.io', 'very.specific.com'].map((h) => answered('/s2', 404, at(h))),
      answered('/non-matching-prefix', 404, at('foo.wildcard.io')),
      served('/s3', V3, at('very.specific.com')),
      ...['non.matching.com', 'foo.specific.com', 'foo.wildcard.io'].map((h) => answered('/s3', 404, at(h))),
      answered('/non-matching-prefix', 404, at('very.specific.com')),
      ...['foo.anotherwildcard.io', 'bar.anotherwildcard.io', 'foo.bar.anotherwildcard.io'].map((h) =>
        served('/s4', V1, at(h)),
      ),
      ...['anotherwildcard.io', 'foo.wildcard.io', 'very.specific.com'].map((h) =>
        answered('/s4', 404, at(h)),
      ),
      answered('/non-matching-prefix', 404, at('foo.anotherwildcard.io')),
    ]);

    await t.routes.gatewayAndHTTPRoutesMustBeAccepted(gw, []);
    await t.routes.httpRouteMustHaveParents(
      infra('no-intersecting-hosts'),
      [
        {
          gateway: gw,
          conditions: [{ type: 'Accepted', status: 'False', reason: 'NoMatchingListenerHostname' }],
        },
      ],
      true,
    );
    await expectAll(address, [
      answered('/s5', 404, at('specific.but.wrong.com')),
      answered('/s5', 404, at('wildcard.io')),
    ]);

    const listener = (name: string, attachedRoutes: number) => ({
      name,
      supportedKinds: [{ kind: 'HTTPRoute' }],
      conditions: [
        { type: 'Accepted', status: 'True' },
        { type: 'ResolvedRefs', status: 'True' },
      ] as const,
      attachedRoutes,
    });
    await t.gateways.gatewayStatusMustHaveListeners(gw, [
      listener('listener-1', 2),
      listener('listener-2', 1),
      listener('listener-3', 1),
    ]);

    const allAddress = await acceptedWithResolvedRefs(t, infra(INTERSECTION_ALL), [infra(INTERSECTION_ALL)]);
    await expectAll(allAddress, [
      ...['first.com', 'sub.first.com', 'second.com', 'sub.second.com'].map((h) => served('/', V2, at(h))),
      ...['third.com', 'sub.third.com'].map((h) => answered('/', 404, at(h))),
    ]);
  },
};

const LISTENER_MATCHING = 'httproute-listener-hostname-matching';
const sectionRoute = (name: string, sections: readonly string[], to: string) =>
  httpRoute(name, {
    parentRefs: sections.map((sectionName) => ({ name: LISTENER_MATCHING, namespace: INFRA, sectionName })),
    rules: [{ backendRefs: [backend(to)] }],
  });

/** A.21: of the listeners matching a Host, the most specific serves it; `*.foo.com` is not `foo.com`. */
const listenerHostnameMatching: ConformanceTest = {
  name: 'HTTPRouteListenerHostnameMatching',
  parallel: false,
  manifests: [
    gateway(LISTENER_MATCHING, [
      httpListener('listener-1', 'Same', { hostname: 'bar.com' }),
      httpListener('listener-2', 'Same', { hostname: 'foo.bar.com' }),
      httpListener('listener-3', 'Same', { hostname: '*.bar.com' }),
      httpListener('listener-4', 'Same', { hostname: '*.foo.com' }),
    ]),
    sectionRoute('backend-v1', ['listener-1'], V1),
    sectionRoute('backend-v2', ['listener-2'], V2),
    sectionRoute('backend-v3', ['listener-3', 'listener-4'], V3),
  ],
  async run(t) {
    await t.gateways.namespacesMustBeReady([INFRA]);
    const gw = (...listenerNames: string[]) => ({ ...infra(LISTENER_MATCHING), listenerNames });
    const address = await acceptedWithResolvedRefs(t, gw('listener-1'), [infra('backend-v1')]);
    await acceptedWithResolvedRefs(t, gw('listener-2'), [infra('backend-v2')]);
    await acceptedWithResolvedRefs(t, gw('listener-3', 'listener-4'), [infra('backend-v3')]);
    const at = (host: string) => ({ host });
    await expectAll(address, [
      served('/', V1, at('bar.com')),
      served('/', V2, at('foo.bar.com')),
      ...['baz.bar.com', 'boo.bar.com', 'multiple.prefixes.bar.com', 'multiple.prefixes.foo.com'].map((h) =>
        served('/', V3, at(h)),
      ),
      answered('/', 404, at('foo.com')),
      answered('/', 404, at('no.matching.host')),
    ]);
  },
};

const HTTPS_GATEWAY = 'same-namespace-with-https-listener';

/** A.22: TLS terminated per SNI on the 443 listeners; routes bound by hostname or sectionName. */
const httpsListenerTest: ConformanceTest = {
  name: 'HTTPRouteHTTPSListener',
  parallel: false,
  manifests: [
    httpRoute('httproute-https-test', {
      parentRefs: [{ name: HTTPS_GATEWAY }],
      hostnames: ['example.org'],
      rules: [{ backendRefs: [backend(V1)] }],
    }),
    httpRoute('httproute-https-test-no-hostname', {
      parentRefs: [{ name: HTTPS_GATEWAY, sectionName: 'https-with-hostname' }],
      rules: [{ backendRefs: [backend(V2)] }],
    }),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, infra(HTTPS_GATEWAY), [
      infra('httproute-https-test'),
      infra('httproute-https-test-no-hostname'),
    ]);
    const tls = (serverName: string): Tls => ({ ca: t.certificates.tlsValidityChecks.certPem, serverName });
    await Promise.all([
      expectAll(address, [served('/', V1, { host: 'example.org' })], tls('example.org')),
      expectAll(address, [answered('/', 404, { host: 'unknown-example.org' })], tls('unknown-example.org')),
      expectAll(address, [served('/', V2, { host: 'second-example.org' })], tls('second-example.org')),
    ]);
  },
};

/** A.23: one route on two Gateways, and a dedicated route per Gateway that must not leak. */
const multipleGateways: ConformanceTest = {
  name: 'HTTPRouteMultipleGateways',
  parallel: false,
  manifests: [
    httpRoute('multiple-gateways-shared-route', {
      parentRefs: [{ name: 'same-namespace' }, { name: 'all-namespaces' }],
      rules: [prefixTo('/shared', V1)],
    }),
    httpRoute('same-namespace-dedicated-route', {
      parentRefs: [{ name: 'same-namespace' }],
      rules: [prefixTo('/', V2)],
    }),
    httpRoute('all-namespaces-dedicated-route', {
      parentRefs: [{ name: 'all-namespaces' }],
      rules: [prefixTo('/', V3)],
    }),
  ],
  async run(t) {
    const shared = infra('multiple-gateways-shared-route');
    const same = await t.routes.gatewayAndHTTPRoutesMustBeAccepted(infra('same-namespace'), [
      shared,
      infra('same-namespace-dedicated-route'),
    ]);
    await expectAll(same, [served('/shared', V1), served('/', V2)]);
    const all = await t.routes.gatewayAndHTTPRoutesMustBeAccepted(infra('all-namespaces'), [
      shared,
      infra('all-namespaces-dedicated-route'),
    ]);
    await expectAll(all, [served('/shared', V1), served('/', V3)]);
  },
};

export const HTTP_ROUTE_HOSTNAME_TESTS: readonly ConformanceTest[] = [
  hostnameIntersection,
  listenerHostnameMatching,
  httpsListenerTest,
  multipleGateways,
];
