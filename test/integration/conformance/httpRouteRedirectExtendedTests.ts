/**
 * GATEWAY-HTTP extended redirect tests (reference §4.2, §6): RequestRedirect with a path, a port,
 * a scheme, their defaults on listeners at 80, 8080 and 443, and the 303/307/308 status codes
 * (provisional). Redirects are never followed; the Location is compared as §3.5 step 4 says.
 * All sequential upstream, each request case as a parallel subtest.
 */
import {
  gateway,
  httpListener,
  httpRoute,
  pathPrefix,
  sameNamespaceRoute,
  type JsonValue,
} from './manifests.js';
import { expectAll, type ExpectedResponse, type Tls } from './roundTrip.js';
import { acceptedWithResolvedRefs, infra } from './steps.js';
import type { ConformanceTest } from './suite.js';

const SAME_NAMESPACE = infra('same-namespace');

const redirectRule = (prefix: string, requestRedirect: Record<string, JsonValue>): JsonValue => ({
  matches: [pathPrefix(prefix)],
  filters: [{ type: 'RequestRedirect', requestRedirect }],
});

type Location = NonNullable<ExpectedResponse['redirectRequest']>;

/** GET (or `method`) `path` → `status` with a Location as given (unset parts take §3.5's defaults). */
const redirected = (
  path: string,
  status: number,
  location: Location,
  request: { host?: string; method?: string } = {},
): ExpectedResponse => ({
  request: { path, ...request },
  statusCodes: [status],
  redirectRequest: location,
});

const replacePrefix = (value: string): JsonValue => ({
  type: 'ReplacePrefixMatch',
  replacePrefixMatch: value,
});
const replaceFull = (value: string): JsonValue => ({ type: 'ReplaceFullPath', replaceFullPath: value });

/**
 * §4.2 `HTTPRouteRedirectPath` (Extended; features Gateway, HTTPRoute, HTTPRoutePathRedirect).
 * ReplacePrefixMatch keeps the rest of the path, ReplaceFullPath replaces all of it; with a
 * hostname or a status code as well.
 */
const redirectPath: ConformanceTest = {
  name: 'HTTPRouteRedirectPath',
  parallel: false,
  manifests: [
    sameNamespaceRoute('redirect-path', [
      redirectRule('/original-prefix', { path: replacePrefix('/replacement-prefix') }),
      redirectRule('/full', { path: replaceFull('/full-path-replacement') }),
      redirectRule('/path-and-host', { hostname: 'example.org', path: replacePrefix('/replacement-prefix') }),
      redirectRule('/path-and-status', { path: replacePrefix('/replacement-prefix'), statusCode: 301 }),
      redirectRule('/full-path-and-host', {
        hostname: 'example.org',
        path: replaceFull('/replacement-full'),
      }),
      redirectRule('/full-path-and-status', { path: replaceFull('/replacement-full'), statusCode: 301 }),
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('redirect-path')]);
    await expectAll(address, [
      redirected('/original-prefix/lemon', 302, { path: '/replacement-prefix/lemon' }),
      redirected('/full/path/original', 302, { path: '/full-path-replacement' }),
      redirected('/path-and-host', 302, { host: 'example.org', path: '/replacement-prefix' }),
      redirected('/path-and-status', 301, { path: '/replacement-prefix' }),
      redirected('/full-path-and-host', 302, { host: 'example.org', path: '/replacement-full' }),
      redirected('/full-path-and-status', 301, { path: '/replacement-full' }),
    ]);
  },
};

/**
 * §4.2 `HTTPRouteRedirectPort` (Extended; features Gateway, HTTPRoute, HTTPRoutePortRedirect).
 * The Location carries port 8083, alone or with a hostname and a status code.
 */
const redirectPort: ConformanceTest = {
  name: 'HTTPRouteRedirectPort',
  parallel: false,
  manifests: [
    sameNamespaceRoute('redirect-port', [
      redirectRule('/port', { port: 8083 }),
      redirectRule('/port-and-host', { hostname: 'example.org', port: 8083 }),
      redirectRule('/port-and-status', { port: 8083, statusCode: 301 }),
      redirectRule('/port-and-host-and-status', { port: 8083, hostname: 'example.org', statusCode: 302 }),
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('redirect-port')]);
    await expectAll(address, [
      redirected('/port', 302, { port: '8083' }),
      redirected('/port-and-host', 302, { host: 'example.org', port: '8083' }),
      redirected('/port-and-status', 301, { port: '8083' }),
      redirected('/port-and-host-and-status', 302, { host: 'example.org', port: '8083' }),
    ]);
  },
};

/**
 * §4.2 `HTTPRouteRedirectScheme` (Extended; features Gateway, HTTPRoute, HTTPRouteSchemeRedirect).
 * `https` with no port set: the Location has no port, or 443.
 */
const redirectScheme: ConformanceTest = {
  name: 'HTTPRouteRedirectScheme',
  parallel: false,
  manifests: [
    sameNamespaceRoute('redirect-scheme', [
      redirectRule('/scheme', { scheme: 'https' }),
      redirectRule('/scheme-and-host', { scheme: 'https', hostname: 'example.org' }),
      redirectRule('/scheme-and-status', { scheme: 'https', statusCode: 301 }),
      redirectRule('/scheme-and-host-and-status', {
        scheme: 'https',
        statusCode: 302,
        hostname: 'example.org',
      }),
    ]),
  ],
  async run(t) {
    const address = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [infra('redirect-scheme')]);
    await expectAll(address, [
      redirected('/scheme', 302, { scheme: 'https' }),
      redirected('/scheme-and-host', 302, { scheme: 'https', host: 'example.org' }),
      redirected('/scheme-and-status', 301, { scheme: 'https' }),
      redirected('/scheme-and-host-and-status', 302, { scheme: 'https', host: 'example.org' }),
    ]);
  },
};

const ON_8080 = 'same-namespace-with-http-listener-on-8080';
const HTTPS_GATEWAY = 'same-namespace-with-https-listener';

/** A route for Host example.org whose rules redirect `/<prefix>` to example.org with `extra`. */
const portAndSchemeRoute = (
  name: string,
  parentRef: Record<string, JsonValue>,
  rules: readonly (readonly [string, Record<string, JsonValue>])[],
) =>
  httpRoute(name, {
    parentRefs: [parentRef],
    hostnames: ['example.org'],
    rules: rules.map(([prefix, extra]) => redirectRule(prefix, { hostname: 'example.org', ...extra })),
  });

/** A 302 to example.org with the Location's scheme and port as given (unset: §3.5 defaults). */
const toExampleOrg = (path: string, location: Omit<Location, 'host'> = {}): ExpectedResponse =>
  redirected(path, 302, { host: 'example.org', ...location }, { host: 'example.org' });

/**
 * §4.2 `HTTPRouteRedirectPortAndScheme` (Extended; features Gateway, HTTPRoute,
 * HTTPRoutePortRedirect, GatewayPort8080). Which port the Location gets when the redirect sets
 * scheme and port, one of them, or neither: with no scheme and no port, the listener's own port
 * (so `:8080` on the 8080 listener, none on 80 and 443); with a new scheme and no port, that
 * scheme's well-known port (none in the Location, or the default). Three parts, each
 * ACCEPT + RR-OK then its cases: the `:80` listener of `same-namespace`, a Gateway with an HTTP
 * listener on 8080, and the `https` listener of `same-namespace-with-https-listener` (SNI and
 * Host `example.org`, trusting Secret tls-validity-checks-certificate).
 */
const redirectPortAndScheme: ConformanceTest = {
  name: 'HTTPRouteRedirectPortAndScheme',
  parallel: false,
  manifests: [
    gateway(ON_8080, [httpListener('http', 'Same', { port: 8080 })]),
    portAndSchemeRoute('http-route-for-listener-on-port-80', { name: 'same-namespace' }, [
      ['/scheme-nil-and-port-nil', {}],
      ['/scheme-nil-and-port-80', { port: 80 }],
      ['/scheme-nil-and-port-8080', { port: 8080 }],
      ['/scheme-https-and-port-nil', { scheme: 'https' }],
      ['/scheme-https-and-port-443', { scheme: 'https', port: 443 }],
      ['/scheme-https-and-port-8443', { scheme: 'https', port: 8443 }],
    ]),
    portAndSchemeRoute('http-route-for-listener-on-port-8080', { name: ON_8080 }, [
      ['/scheme-nil-and-port-nil', {}],
      ['/scheme-nil-and-port-80', { port: 80 }],
      ['/scheme-https-and-port-nil', { scheme: 'https' }],
    ]),
    portAndSchemeRoute('http-route-for-listener-on-port-443', { name: HTTPS_GATEWAY, sectionName: 'https' }, [
      ['/scheme-nil-and-port-nil', {}],
      ['/scheme-nil-and-port-443', { port: 443 }],
      ['/scheme-nil-and-port-8443', { port: 8443 }],
      ['/scheme-http-and-port-nil', { scheme: 'http' }],
      ['/scheme-http-and-port-80', { scheme: 'http', port: 80 }],
      ['/scheme-http-and-port-8080', { scheme: 'http', port: 8080 }],
    ]),
  ],
  async run(t) {
    const on80 = await acceptedWithResolvedRefs(t, SAME_NAMESPACE, [
      infra('http-route-for-listener-on-port-80'),
    ]);
    await expectAll(on80, [
      toExampleOrg('/scheme-nil-and-port-nil', { scheme: 'http' }),
      toExampleOrg('/scheme-nil-and-port-80', { scheme: 'http' }),
      toExampleOrg('/scheme-nil-and-port-8080', { scheme: 'http', port: '8080' }),
      toExampleOrg('/scheme-https-and-port-nil', { scheme: 'https' }),
      toExampleOrg('/scheme-https-and-port-443', { scheme: 'https' }),
      toExampleOrg('/scheme-https-and-port-8443', { scheme: 'https', port: '8443' }),
    ]);

    const on8080 = await acceptedWithResolvedRefs(t, infra(ON_8080), [
      infra('http-route-for-listener-on-port-8080'),
    ]);
    await expectAll(on8080, [
      toExampleOrg('/scheme-nil-and-port-nil', { scheme: 'http', port: '8080' }),
      toExampleOrg('/scheme-nil-and-port-80', { scheme: 'http' }),
      toExampleOrg('/scheme-https-and-port-nil', { scheme: 'https' }),
    ]);

    const on443 = await acceptedWithResolvedRefs(t, infra(HTTPS_GATEWAY), [
      infra('http-route-for-listener-on-port-443'),
    ]);
    const tls: Tls = { ca: t.certificates.tlsValidityChecks.certPem, serverName: 'example.org' };
    await expectAll(
      on443,
      [
        toExampleOrg('/scheme-nil-and-port-nil', { scheme: 'https' }),
        toExampleOrg('/scheme-nil-and-port-443', { scheme: 'https' }),
        toExampleOrg('/scheme-nil-and-port-8443', { scheme: 'https', port: '8443' }),
        toExampleOrg('/scheme-http-and-port-nil', { scheme: 'http' }),
        toExampleOrg('/scheme-http-and-port-80', { scheme: 'http' }),
        toExampleOrg('/scheme-http-and-port-8080', { scheme: 'http', port: '8080' }),
      ],
      tls,
    );
  },
};

/** One provisional status-code test: a redirect rule on `prefix` with `statusCode`, nothing else. */
function statusCodeRedirect(t: {
  name: string;
  route: string;
  prefix: string;
  statusCode: number;
  method: string;
}): ConformanceTest {
  return {
    name: t.name,
    parallel: false,
    manifests: [sameNamespaceRoute(t.route, [redirectRule(t.prefix, { statusCode: t.statusCode })])],
    async run(context) {
      const address = await acceptedWithResolvedRefs(context, SAME_NAMESPACE, [infra(t.route)]);
      await expectAll(address, [
        redirected(t.prefix, t.statusCode, { path: t.prefix }, { method: t.method }),
      ]);
    },
  };
}

/**
 * §4.2 `HTTPRoute303Redirect` (Extended, provisional; features Gateway, HTTPRoute,
 * HTTPRoute303RedirectStatusCode): POST `/see-other` → 303, Location path `/see-other`.
 */
const redirect303 = statusCodeRedirect({
  name: 'HTTPRoute303Redirect',
  route: 'redirect-303',
  prefix: '/see-other',
  statusCode: 303,
  method: 'POST',
});

/**
 * §4.2 `HTTPRoute307Redirect` (Extended, provisional; features Gateway, HTTPRoute,
 * HTTPRoute307RedirectStatusCode): GET `/temporary` → 307, Location path `/temporary`.
 */
const redirect307 = statusCodeRedirect({
  name: 'HTTPRoute307Redirect',
  route: 'redirect-307',
  prefix: '/temporary',
  statusCode: 307,
  method: 'GET',
});

/**
 * §4.2 `HTTPRoute308Redirect` (Extended, provisional; features Gateway, HTTPRoute,
 * HTTPRoute308RedirectStatusCode): GET `/permanent` → 308, Location path `/permanent`.
 */
const redirect308 = statusCodeRedirect({
  name: 'HTTPRoute308Redirect',
  route: 'redirect-308',
  prefix: '/permanent',
  statusCode: 308,
  method: 'GET',
});

export const HTTP_ROUTE_REDIRECT_EXTENDED_TESTS: readonly ConformanceTest[] = [
  redirectPath,
  redirectPort,
  redirectScheme,
  redirectPortAndScheme,
  redirect303,
  redirect307,
  redirect308,
];
