/**
 * HTTPRoute routing and match precedence (Appendix A.13–A.19), all on the base Gateways.
 */
import {
  backend,
  exactPath,
  headerMatch,
  httpRoute,
  INFRA,
  pathPrefix,
  sameNamespaceRoute,
  WEB,
} from './manifests.js';
import { expectAll } from './roundTrip.js';
import { acceptedWithResolvedRefs, answered, infra, served } from './steps.js';
import type { ConformanceTest } from './suite.js';

const V1 = 'infra-backend-v1';
const V2 = 'infra-backend-v2';
const V3 = 'infra-backend-v3';
const SAME_NAMESPACE = infra('same-namespace');

/** A.13: the simplest route reaches its backend. */
const simpleSameNamespace: ConformanceTest = {
  name: 'HTTPRouteSimpleSameNamespace',
  parallel: false,
  manifests: [sameNamespaceRoute('gateway-conformance-infra-test', [{ backendRefs: [backend(V1)] }])],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [
      infra('gateway-conformance-infra-test'),
    ]);
    await expectAll(address, [served('/', V1)]);
  },
};

/** A.14: a route in another namespace attaches through a Selector listener; parentRef.namespace in status. */
const crossNamespace: ConformanceTest = {
  name: 'HTTPRouteCrossNamespace',
  parallel: false,
  manifests: [
    httpRoute(
      'cross-namespace',
      {
        parentRefs: [{ name: 'backend-namespaces', namespace: INFRA }],
        rules: [{ backendRefs: [backend('web-backend')] }],
      },
      WEB,
    ),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, infra('backend-namespaces'), [
      { name: 'cross-namespace', namespace: WEB },
    ]);
    await expectAll(address, [served('/', 'web-backend', { namespace: WEB })]);
  },
};

/** A.15: Exact matches the whole path, case and trailing slash included. */
const exactPathMatching: ConformanceTest = {
  name: 'HTTPRouteExactPathMatching',
  parallel: false,
  manifests: [
    sameNamespaceRoute('exact-matching', [
      { matches: [exactPath('/one')], backendRefs: [backend(V1)] },
      { matches: [exactPath('/two')], backendRefs: [backend(V2)] },
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('exact-matching')]);
    await expectAll(address, [
      served('/one', V1),
      served('/two', V2),
      answered('/', 404),
      answered('/one/example', 404),
      answered('/two/', 404),
      answered('/Two', 404),
    ]);
  },
};

/** A.16: more header matches win; ties go to the earlier rule; names are case-insensitive. */
const headerMatching: ConformanceTest = {
  name: 'HTTPRouteHeaderMatching',
  parallel: false,
  manifests: [
    sameNamespaceRoute('header-matching', [
      { matches: [headerMatch(['version', 'one'])], backendRefs: [backend(V1)] },
      { matches: [headerMatch(['version', 'two'])], backendRefs: [backend(V2)] },
      { matches: [headerMatch(['version', 'two'], ['color', 'orange'])], backendRefs: [backend(V1)] },
      {
        matches: [headerMatch(['color', 'blue']), headerMatch(['color', 'green'])],
        backendRefs: [backend(V1)],
      },
      {
        matches: [headerMatch(['color', 'red']), headerMatch(['color', 'yellow'])],
        backendRefs: [backend(V2)],
      },
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('header-matching')]);
    const h = (headers: Record<string, string>) => ({ headers });
    await expectAll(address, [
      served('/', V1, h({ Version: 'one' })),
      served('/', V2, h({ Version: 'two' })),
      served('/', V1, h({ Version: 'two', Color: 'orange' })),
      served('/', V2, h({ Version: 'two', Color: 'blue' })),
      answered('/', 404, h({ Color: 'orange' })),
      answered('/', 404, h({ 'Some-Other-Header': 'one' })),
      served('/', V1, h({ Color: 'blue' })),
      served('/', V1, h({ Color: 'green' })),
      served('/', V2, h({ Color: 'red' })),
      served('/', V2, h({ Color: 'yellow' })),
      answered('/', 404, h({ Color: 'purple' })),
    ]);
  },
};

/** A.17: ORed matches per rule; prefixes match whole path segments. */
const matching: ConformanceTest = {
  name: 'HTTPRouteMatching',
  parallel: false,
  manifests: [
    sameNamespaceRoute('matching', [
      { matches: [pathPrefix('/'), headerMatch(['version', 'one'])], backendRefs: [backend(V1)] },
      { matches: [pathPrefix('/v2'), headerMatch(['version', 'two'])], backendRefs: [backend(V2)] },
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('matching')]);
    await expectAll(address, [
      served('/', V1),
      served('/example', V1),
      served('/', V1, { headers: { Version: 'one' } }),
      served('/v2', V2),
      served('/v2/example', V2),
      served('/', V2, { headers: { Version: 'two' } }),
      served('/v2/', V2),
      served('/v2example', V1),
      served('/foo/v2/example', V1),
    ]);
  },
};

/** A.18: rules of two routes with overlapping hostnames are merged per hostname. */
const matchingAcrossRoutes: ConformanceTest = {
  name: 'HTTPRouteMatchingAcrossRoutes',
  parallel: false,
  manifests: [
    httpRoute('matching-part1', {
      parentRefs: [{ name: 'same-namespace' }],
      hostnames: ['example.com', 'example.net'],
      rules: [{ matches: [pathPrefix('/'), headerMatch(['version', 'one'])], backendRefs: [backend(V1)] }],
    }),
    httpRoute('matching-part2', {
      parentRefs: [{ name: 'same-namespace' }],
      hostnames: ['example.com'],
      rules: [{ matches: [pathPrefix('/v2'), headerMatch(['version', 'two'])], backendRefs: [backend(V2)] }],
    }),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [
      infra('matching-part1'),
      infra('matching-part2'),
    ]);
    const com = { host: 'example.com' };
    await expectAll(address, [
      served('/', V1, com),
      served('/example', V1, com),
      served('/example', V1, { host: 'example.net' }),
      served('/example', V1, { ...com, headers: { Version: 'one' } }),
      served('/v2', V2, com),
      served('/v2', V1, { host: 'example.net' }),
      served('/v2/example', V2, com),
      served('/', V2, { ...com, headers: { Version: 'two' } }),
    ]);
  },
};

/** A.19: Exact beats any prefix; the longest prefix wins; a prefix's trailing `/` is ignored. */
const pathMatchOrder: ConformanceTest = {
  name: 'HTTPRoutePathMatchOrder',
  parallel: false,
  manifests: [
    sameNamespaceRoute('path-matching-order', [
      { matches: [exactPath('/match')], backendRefs: [backend(V1)] },
      { matches: [exactPath('/match/exact')], backendRefs: [backend(V2)] },
      { matches: [exactPath('/match/exact/one')], backendRefs: [backend(V3)] },
      { matches: [pathPrefix('/match/')], backendRefs: [backend(V3)] },
      { matches: [pathPrefix('/match/prefix/')], backendRefs: [backend(V1)] },
      { matches: [pathPrefix('/match/prefix/one')], backendRefs: [backend(V2)] },
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('path-matching-order')]);
    await expectAll(address, [
      served('/match/exact/one', V3),
      served('/match/exact', V2),
      served('/match', V1),
      served('/match/prefix/one/any', V2),
      served('/match/prefix/any', V1),
      served('/match/any', V3),
    ]);
  },
};

export const HTTP_ROUTE_MATCHING_TESTS: readonly ConformanceTest[] = [
  simpleSameNamespace,
  crossNamespace,
  exactPathMatching,
  headerMatching,
  matching,
  matchingAcrossRoutes,
  pathMatchOrder,
];
