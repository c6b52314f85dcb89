/**
 * GATEWAY-HTTP extended response-header test (reference §4.2, §6): ResponseHeaderModifier set,
 * add and remove on the headers the backend sends (asked for with X-Echo-Set-Header, §2.4), names
 * matched case-insensitively, added names kept whatever their casing, and a rule with both a
 * request and a response header modifier. Sequential upstream, each case a parallel subtest.
 */
import { backend, INFRA, pathPrefix, sameNamespaceRoute, type JsonValue } from './manifests.js';
import { expectAll, type ExpectedResponse } from './roundTrip.js';
import { acceptedWithResolvedRefs, infra } from './steps.js';
import type { ConformanceTest } from './suite.js';

const V1 = 'infra-backend-v1';
const SAME_NAMESPACE = infra('same-namespace');

type Pairs = readonly (readonly [string, string])[];
interface Modifier {
  readonly set?: Pairs;
  readonly add?: Pairs;
  readonly remove?: readonly string[];
}

function modifier(m: Modifier): Record<string, JsonValue> {
  const pairs = (list: Pairs) => list.map(([name, value]) => ({ name, value }));
  return {
    ...(m.set ? { set: pairs(m.set) } : {}),
    ...(m.add ? { add: pairs(m.add) } : {}),
    ...(m.remove ? { remove: m.remove } : {}),
  };
}

const responseRule = (prefix: string, m: Modifier): JsonValue => ({
  matches: [pathPrefix(prefix)],
  filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: modifier(m) }],
  backendRefs: [backend(V1)],
});

const SET_ADD_REMOVE: Modifier = {
  set: [['X-Header-Set', 'set-overwrites-values']],
  add: [['X-Header-Add', 'add-appends-values']],
  remove: ['X-Header-Remove'],
};

/** The headers the backend sends for `path`, and what the client must (not) see from v1. */
const responseFor = (
  path: string,
  backendSets: Record<string, string>,
  expected: { headers?: Record<string, string>; absent?: readonly string[] },
): ExpectedResponse => ({
  request: { path, backendSetResponseHeaders: backendSets },
  response: { headers: expected.headers ?? {}, absentHeaders: expected.absent ?? [] },
  backend: V1,
  namespace: INFRA,
});

/**
 * §4.2 `HTTPRouteResponseHeaderModifier` (Extended; features Gateway, HTTPRoute,
 * HTTPRouteResponseHeaderModification). Values the client sees are compared joined with `,`
 * (two header lines or one `a,b` line both pass; `a, b` does not).
 */
const responseHeaderModifier: ConformanceTest = {
  name: 'HTTPRouteResponseHeaderModifier',
  parallel: false,
  manifests: [
    sameNamespaceRoute('response-header-modifier', [
      responseRule('/set', { set: [['X-Header-Set', 'set-overwrites-values']] }),
      responseRule('/add', { add: [['X-Header-Add', 'add-appends-values']] }),
      responseRule('/remove', { remove: ['X-Header-Remove'] }),
      responseRule('/multiple', {
        set: [
          ['X-Header-Set-1', 'header-set-1'],
          ['X-Header-Set-2', 'header-set-2'],
        ],
        add: [
          ['X-Header-Add-1', 'header-add-1'],
          ['X-Header-Add-2', 'header-add-2'],
          ['X-Header-Add-3', 'header-add-3'],
        ],
        remove: ['X-Header-Remove-1', 'X-Header-Remove-2'],
      }),
      responseRule('/case-insensitivity', {
        set: [['X-Header-Set', 'header-set']],
        add: [
          ['X-Header-Add', 'header-add'],
          ['x-lowercase-add', 'lowercase-add'],
          ['x-Mixedcase-ADD-1', 'mixedcase-add-1'],
          ['X-mixeDcase-add-2', 'mixedcase-add-2'],
          ['X-UPPERCASE-ADD', 'uppercase-add'],
        ],
        remove: ['X-Header-Remove'],
      }),
      {
        matches: [pathPrefix('/response-and-request-header-modifiers')],
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: modifier(SET_ADD_REMOVE) },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: modifier(SET_ADD_REMOVE) },
        ],
        backendRefs: [backend(V1)],
      },
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('response-header-modifier')]);
    const other = { 'Some-Other-Header': 'val' };
    const both = '/response-and-request-header-modifiers';
    await expectAll(address, [
      responseFor('/set', other, { headers: { ...other, 'X-Header-Set': 'set-overwrites-values' } }),
      responseFor(
        '/set',
        { ...other, 'X-Header-Set': 'some-other-value' },
        { headers: { ...other, 'X-Header-Set': 'set-overwrites-values' } },
      ),
      responseFor('/add', other, { headers: { ...other, 'X-Header-Add': 'add-appends-values' } }),
      responseFor(
        '/add',
        { ...other, 'X-Header-Add': 'some-other-value' },
        { headers: { ...other, 'X-Header-Add': 'some-other-value,add-appends-values' } },
      ),
      responseFor('/remove', { 'X-Header-Remove': 'val' }, { absent: ['X-Header-Remove'] }),
      responseFor(
        '/multiple',
        {
          'X-Header-Set-2': 'set-val-2',
          'X-Header-Add-2': 'add-val-2',
          'X-Header-Remove-2': 'remove-val-2',
          'Another-Header': 'another-header-val',
        },
        {
          headers: {
            'X-Header-Set-1': 'header-set-1',
            'X-Header-Set-2': 'header-set-2',
            'X-Header-Add-1': 'header-add-1',
            'X-Header-Add-2': 'add-val-2,header-add-2',
            'X-Header-Add-3': 'header-add-3',
            'Another-Header': 'another-header-val',
          },
          absent: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        },
      ),
      // The filter names are canonical, the backend's are lowercase.
      responseFor(
        '/case-insensitivity',
        {
          'x-header-set': 'original-val-set',
          'x-header-add': 'original-val-add',
          'x-header-remove': 'original-val-remove',
          'Another-Header': 'another-header-val',
        },
        {
          headers: {
            'X-Header-Set': 'header-set',
            'X-Header-Add': 'original-val-add,header-add',
            'Another-Header': 'another-header-val',
            'x-lowercase-add': 'lowercase-add',
            'x-mixedcase-add-1': 'mixedcase-add-1',
            'x-mixedcase-add-2': 'mixedcase-add-2',
            'x-uppercase-add': 'uppercase-add',
          },
          absent: ['X-Header-Remove'],
        },
      ),
      {
        request: {
          path: both,
          headers: {
            'X-Header-Set': 'some-other-value',
            'X-Header-Add': 'some-other-value',
            'X-Header-Remove': 'val',
          },
          backendSetResponseHeaders: {
            'X-Header-Set': 'some-other-value',
            'X-Header-Add': 'some-other-value',
            'X-Header-Remove': 'val',
          },
        },
        expectedRequest: {
          path: both,
          headers: {
            'X-Header-Set': 'set-overwrites-values',
            'X-Header-Add': 'some-other-value,add-appends-values',
          },
          absentHeaders: ['X-Header-Remove'],
        },
        response: {
          headers: {
            'X-Header-Set': 'set-overwrites-values',
            'X-Header-Add': 'some-other-value,add-appends-values',
          },
          absentHeaders: ['X-Header-Remove'],
        },
        backend: V1,
        namespace: INFRA,
      },
    ]);
  },
};

export const HTTP_ROUTE_RESPONSE_HEADER_TESTS: readonly ConformanceTest[] = [responseHeaderModifier];
