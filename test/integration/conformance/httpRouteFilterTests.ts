/**
 * Filters and traffic splitting (Appendix A.34, A.35, A.37): hostname redirects with their
 * status codes, request header set/add/remove, and a 70/30/0 weighted split.
 */
import { backend, INFRA, pathPrefix, sameNamespaceRoute, type JsonValue } from './manifests.js';
import {
  compareRoundTrip,
  errorMessage,
  expectAll,
  requestUrl,
  send,
  type ExpectedResponse,
} from './roundTrip.js';
import type { GatewayAddress } from './routeStatus.js';
import { acceptedWithResolvedRefs, infra, served } from './steps.js';
import type { ConformanceTest } from './suite.js';

const SAME_NAMESPACE = infra('same-namespace');
const V1 = 'infra-backend-v1';

const redirectRule = (prefix: string, redirect: Record<string, JsonValue>): JsonValue => ({
  matches: [pathPrefix(prefix)],
  filters: [{ type: 'RequestRedirect', requestRedirect: redirect }],
});

/** A.34: the redirect keeps scheme, port and path; statusCode defaults to 302. */
const redirectHostAndStatus: ConformanceTest = {
  name: 'HTTPRouteRedirectHostAndStatus',
  parallel: false,
  manifests: [
    sameNamespaceRoute('redirect-host-and-status', [
      redirectRule('/hostname-redirect', { hostname: 'example.org' }),
      redirectRule('/host-and-status', { statusCode: 301, hostname: 'example.org' }),
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('redirect-host-and-status')]);
    const redirect = (path: string, status: number): ExpectedResponse => ({
      request: { path },
      statusCodes: [status],
      redirectRequest: { host: 'example.org' },
    });
    await expectAll(address, [redirect('/hostname-redirect', 302), redirect('/host-and-status', 301)]);
  },
};

type Pairs = readonly (readonly [string, string])[];
const headerModifierRule = (
  prefix: string,
  modifier: { set?: Pairs; add?: Pairs; remove?: readonly string[] },
): JsonValue => {
  const pairs = (list?: Pairs) => list?.map(([name, value]) => ({ name, value }));
  const requestHeaderModifier: Record<string, JsonValue> = {};
  if (modifier.set) requestHeaderModifier['set'] = pairs(modifier.set) ?? [];
  if (modifier.add) requestHeaderModifier['add'] = pairs(modifier.add) ?? [];
  if (modifier.remove) requestHeaderModifier['remove'] = modifier.remove;
  return {
    matches: [pathPrefix(prefix)],
    filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier }],
    backendRefs: [backend(V1)],
  };
};

/** What the backend must see for a request to `path` with `headers`. */
const modified = (
  path: string,
  headers: Record<string, string>,
  expected: { headers?: Record<string, string>; absent?: readonly string[] },
): ExpectedResponse => ({
  request: { path, headers },
  expectedRequest: { path, headers: expected.headers ?? {}, absentHeaders: expected.absent ?? [] },
  backend: V1,
  namespace: INFRA,
});

/** A.35: set overwrites, add appends (comma-joined), remove drops; header names are case-insensitive. */
const requestHeaderModifier: ConformanceTest = {
  name: 'HTTPRouteRequestHeaderModifier',
  parallel: false,
  manifests: [
    sameNamespaceRoute('request-header-modifier', [
      headerModifierRule('/set', { set: [['X-Header-Set', 'set-overwrites-values']] }),
      headerModifierRule('/add', { add: [['X-Header-Add', 'add-appends-values']] }),
      headerModifierRule('/remove', { remove: ['X-Header-Remove'] }),
      headerModifierRule('/multiple', {
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
      headerModifierRule('/case-insensitivity', {
        set: [['X-Header-Set', 'header-set']],
        add: [['X-Header-Add', 'header-add']],
        remove: ['X-Header-Remove'],
      }),
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('request-header-modifier')]);
    const other = { 'Some-Other-Header': 'val' };
    await expectAll(address, [
      modified('/set', other, { headers: { ...other, 'X-Header-Set': 'set-overwrites-values' } }),
      modified(
        '/set',
        { ...other, 'X-Header-Set': 'some-other-value' },
        { headers: { ...other, 'X-Header-Set': 'set-overwrites-values' } },
      ),
      modified('/add', other, { headers: { ...other, 'X-Header-Add': 'add-appends-values' } }),
      modified(
        '/add',
        { ...other, 'X-Header-Add': 'some-other-value' },
        { headers: { 'X-Header-Add': 'some-other-value,add-appends-values' } },
      ),
      modified('/remove', { 'X-Header-Remove': 'val' }, { absent: ['X-Header-Remove'] }),
      modified(
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
      modified(
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
          },
          absent: ['X-Header-Remove'],
        },
      ),
    ]);
  },
};

const WEIGHTS: Readonly<Record<string, number>> = {
  'infra-backend-v1': 0.7,
  'infra-backend-v2': 0.3,
  'infra-backend-v3': 0,
};

/**
 * One round of upstream's weighted-distribution check (reference §3.7): 500 requests, 10 at a
 * time, half of them with a random X-Jitter header; every reply from a listed backend, exactly
 * the backends with weight > 0 seen, each share within 0.05 of its weight.
 */
async function checkDistribution(address: GatewayAddress): Promise<void> {
  const total = 500;
  const counts = new Map<string, number>();
  const expected: ExpectedResponse = { request: { path: '/' }, namespace: INFRA };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      const headers: Record<string, string> =
        Math.random() < 0.5 ? { 'X-Jitter': String(Math.floor(Math.random() * 10_000)) } : {};
      const reply = await send(address, { path: '/', headers });
      compareRoundTrip(expected, reply, requestUrl(address, expected.request));
      const backendName = (reply.echo?.pod ?? '').split('-').slice(0, -2).join('-');
      if (!(backendName in WEIGHTS)) throw new Error(`reply from unexpected backend ${backendName}`);
      counts.set(backendName, (counts.get(backendName) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  const wanted = Object.values(WEIGHTS).filter((w) => w > 0).length;
  if (counts.size !== wanted)
    throw new Error(`saw ${counts.size} backends (${[...counts.keys()].join(', ')}), expected ${wanted}`);
  for (const [name, weight] of Object.entries(WEIGHTS)) {
    const share = (counts.get(name) ?? 0) / total;
    if (Math.abs(share - weight) > 0.05)
      throw new Error(`${name} got ${share.toFixed(3)} of the traffic, expected ${weight} ± 0.05`);
  }
}

/** A.37: weights 70/30/0 across v1/v2/v3; v3 gets nothing. */
const weight: ConformanceTest = {
  name: 'HTTPRouteWeight',
  parallel: false,
  manifests: [
    sameNamespaceRoute('weighted-backends', [
      {
        backendRefs: [
          backend('infra-backend-v1', { weight: 70 }),
          backend('infra-backend-v2', { weight: 30 }),
          backend('infra-backend-v3', { weight: 0 }),
        ],
      },
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('weighted-backends')]);
    await expectAll(address, [served('/', '')]);
    const failures: string[] = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      try {
        return await checkDistribution(address);
      } catch (error) {
        failures.push(`attempt ${attempt}: ${errorMessage(error)}`);
      }
    }
    throw new Error(`weighted distribution failed 10 times:\n${failures.join('\n')}`);
  },
};

export const HTTP_ROUTE_FILTER_TESTS: readonly ConformanceTest[] = [
  redirectHostAndStatus,
  requestHeaderModifier,
  weight,
];
