/**
 * GATEWAY-HTTP extended matching tests (reference §4.2, §6): query parameter and method matches,
 * alone, ANDed with path and header matches, ORed across matches, and their precedence against
 * path and header matches. Both on `same-namespace`; upstream runs them sequentially, each
 * request case as a parallel subtest.
 */
import { backend, sameNamespaceRoute, type JsonValue } from './manifests.js';
import { expectAll } from './roundTrip.js';
import { acceptedWithResolvedRefs, answered, infra, served } from './steps.js';
import type { ConformanceTest } from './suite.js';

const V1 = 'infra-backend-v1';
const V2 = 'infra-backend-v2';
const V3 = 'infra-backend-v3';
const SAME_NAMESPACE = infra('same-namespace');

type Pairs = readonly (readonly [string, string])[];

/** One HTTPRouteMatch; the match types left out are absent (a path then defaults to `PathPrefix /`). */
function match(m: { prefix?: string; headers?: Pairs; query?: Pairs; method?: string }): JsonValue {
  const pairs = (list: Pairs) => list.map(([name, value]) => ({ name, value }));
  return {
    ...(m.prefix ? { path: { type: 'PathPrefix', value: m.prefix } } : {}),
    ...(m.headers ? { headers: pairs(m.headers) } : {}),
    ...(m.query ? { queryParams: pairs(m.query) } : {}),
    ...(m.method ? { method: m.method } : {}),
  };
}

const rule = (to: string, ...matches: readonly JsonValue[]): JsonValue => ({
  matches,
  backendRefs: [backend(to)],
});

/**
 * §4.2 `HTTPRouteQueryParamMatching` (Extended; features Gateway, HTTPRoute,
 * HTTPRouteQueryParamMatching). Exact query matches; names and values are case-sensitive; extra
 * parameters do not matter; a rule's query matches are ANDed; with path and headers, more
 * specific wins, and path and header matches take precedence over query matches.
 */
const queryParamMatching: ConformanceTest = {
  name: 'HTTPRouteQueryParamMatching',
  parallel: false,
  manifests: [
    sameNamespaceRoute('query-param-matching', [
      rule(V1, match({ query: [['animal', 'whale']] })),
      rule(V2, match({ query: [['animal', 'dolphin']] })),
      rule(
        V3,
        match({
          query: [
            ['animal', 'dolphin'],
            ['color', 'blue'],
          ],
        }),
        match({ query: [['ANIMAL', 'Whale']] }),
      ),
      // Combinations with core match types.
      rule(V1, match({ prefix: '/path1', query: [['animal', 'whale']] })),
      rule(V2, match({ headers: [['version', 'one']], query: [['animal', 'whale']] })),
      rule(V3, match({ prefix: '/path2', headers: [['version', 'two']], query: [['animal', 'whale']] })),
      // (cond1 AND cond2) OR (cond3 AND cond4 AND cond5)
      rule(
        V1,
        match({ prefix: '/path3', query: [['animal', 'shark']] }),
        match({ prefix: '/path4', headers: [['version', 'three']], query: [['animal', 'kraken']] }),
      ),
      // Precedence.
      rule(V1, match({ prefix: '/path5' })),
      rule(V2, match({ query: [['animal', 'hydra']] })),
      rule(V3, match({ headers: [['version', 'four']] })),
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('query-param-matching')]);
    const version = (v: string) => ({ headers: { version: v } });
    await expectAll(address, [
      served('/?animal=whale', V1),
      served('/?animal=dolphin', V2),
      served('/?animal=dolphin&color=blue', V3),
      served('/?ANIMAL=Whale', V3),
      served('/?animal=whale&otherparam=irrelevant', V1),
      served('/?animal=dolphin&color=yellow', V2),
      answered('/?color=blue', 404),
      answered('/?animal=dog', 404),
      answered('/?animal=whaledolphin', 404),
      answered('/', 404),
      // Combinations with core match types.
      served('/path1?animal=whale', V1),
      served('/?animal=whale', V2, version('one')),
      served('/path2?animal=whale', V3, version('two')),
      // ORed matches, each an AND of conditions.
      served('/path3?animal=shark', V1),
      served('/path4?animal=kraken', V1, version('three')),
      answered('/?animal=shark', 404),
      answered('/path4?animal=kraken', 404),
      // A path match beats a query match; a header match beats a query match.
      served('/path5?animal=hydra', V1),
      served('/?animal=hydra', V3, version('four')),
    ]);
  },
};

/**
 * §4.2 `HTTPRouteMethodMatching` (Extended; features Gateway, HTTPRoute, HTTPRouteMethodMatching).
 * Method matches alone and ANDed with path and headers; a path match takes precedence over a
 * method match, a method match over a header match; HEAD is not GET.
 */
const methodMatching: ConformanceTest = {
  name: 'HTTPRouteMethodMatching',
  parallel: false,
  manifests: [
    sameNamespaceRoute('method-matching', [
      rule(V1, match({ method: 'POST' })),
      rule(V2, match({ method: 'GET' })),
      // Combinations with core match types.
      rule(V1, match({ prefix: '/path1', method: 'GET' })),
      rule(V2, match({ headers: [['version', 'one']], method: 'PUT' })),
      rule(V3, match({ prefix: '/path2', headers: [['version', 'two']], method: 'POST' })),
      // (cond1 AND cond2) OR (cond3 AND cond4 AND cond5)
      rule(
        V1,
        match({ prefix: '/path3', method: 'PATCH' }),
        match({ prefix: '/path4', headers: [['version', 'three']], method: 'DELETE' }),
      ),
      // Precedence.
      rule(V1, match({ prefix: '/path5' })),
      rule(V2, match({ method: 'PATCH' })),
      rule(V3, match({ headers: [['version', 'four']] })),
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('method-matching')]);
    const call = (method: string, headers: Record<string, string> = {}) => ({ method, headers });
    await expectAll(address, [
      served('/', V1, call('POST')),
      served('/', V2, call('GET')),
      answered('/', 404, call('HEAD')),
      // Combinations with core match types.
      served('/path1', V1, call('GET')),
      served('/', V2, call('PUT', { version: 'one' })),
      served('/path2', V3, call('POST', { version: 'two' })),
      // ORed matches, each an AND of conditions.
      served('/path3', V1, call('PATCH')),
      served('/path4', V1, call('DELETE', { version: 'three' })),
      answered('/', 404, call('PUT')),
      answered('/path4', 404, call('DELETE')),
      // A path match beats a method match; a method match beats a header match.
      served('/path5', V1, call('PATCH')),
      served('/', V2, call('PATCH', { version: 'four' })),
    ]);
  },
};

export const HTTP_ROUTE_MATCHING_EXTENDED_TESTS: readonly ConformanceTest[] = [
  queryParamMatching,
  methodMatching,
];
