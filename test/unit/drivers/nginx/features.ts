/**
 * The model the nginx integration test serves to check the Gateway API features of work order 2:
 * request conditions, header modifiers, redirects and HTTPS. Each host exercises one feature;
 * fixed statuses name the rule that answered. Rules are in the precedence order the resolver
 * would give them (exact path, longest prefix, method, most headers, most query parameters).
 */
import type { GatewayModel, RouteRule } from '../../../../operator/model/types.js';
import {
  changes,
  exact,
  fixed,
  forward,
  forwardWith,
  gatewayModel,
  header,
  headerRegex,
  invalid,
  host,
  httpsPort,
  port,
  prefix,
  query,
  redirect,
  rule,
  to,
  upstream,
} from './fixtures.js';
import type { TestCertificate } from './tlsClient.js';

/** A header value full of characters nginx's tokenizer or variable expansion care about. */
export const HOSTILE_VALUE = `a"b'c$host\${x};d{e}#f\\g h`;

export const MATCHED = { v2: 210, red: 211, whale: 213, dolphin: 214, hostile: 215, otherwise: 216 } as const;

function matchingRules(echo: string): RouteRule[] {
  return [
    rule('m', 2, { path: exact('/m'), method: 'POST' }, forward(to(echo))),
    rule(
      'm',
      5,
      { path: prefix('/hostile'), headers: [header('x-hostile', HOSTILE_VALUE)] },
      fixed(MATCHED.hostile),
    ),
    rule('m', 0, { path: prefix('/v2'), headers: [header('version', 'two')] }, fixed(MATCHED.v2)),
    rule('m', 1, { path: prefix('/'), headers: [headerRegex('color', 're+d')] }, fixed(MATCHED.red)),
    rule('m', 3, { path: prefix('/'), queryParams: [query('animal', 'whale')] }, fixed(MATCHED.whale)),
    rule(
      'm',
      4,
      { path: prefix('/'), queryParams: [query('ani-mal', '^dol', 'RegularExpression')] },
      fixed(MATCHED.dolphin),
    ),
    rule('m', 6, prefix('/'), fixed(MATCHED.otherwise)),
  ];
}

/** Conditional rules whose actions need more than a proxy_pass in their named location. */
function conditionalActionRules(echo: string): RouteRule[] {
  return [
    rule(
      'm',
      7,
      { path: prefix('/split'), headers: [header('x-split', 'yes')] },
      forward(to(echo), invalid()),
    ),
    rule(
      'm',
      8,
      { path: prefix('/cond'), headers: [header('x-go', 'yes')] },
      redirect({ hostname: 'example.net' }, changes({ add: { 'X-Conditional': 'yes' } })),
    ),
  ];
}

/** The conformance suite's RequestHeaderModifier cases, plus hostile values and response changes. */
function modifyingRules(echo: string): RouteRule[] {
  const request = (path: string, i: number, spec: Parameters<typeof changes>[0]) =>
    rule('mod', i, prefix(path), forwardWith({ request: changes(spec) }, to(echo)));
  return [
    request('/set', 0, { set: { 'X-Header-Set': 'set-overwrites-values' } }),
    request('/add', 1, { add: { 'X-Header-Add': 'add-appends-values' } }),
    request('/remove', 2, { remove: ['X-Header-Remove'] }),
    request('/multiple', 3, {
      set: { 'X-Header-Set-1': 'header-set-1', 'X-Header-Set-2': 'header-set-2' },
      add: {
        'X-Header-Add-1': 'header-add-1',
        'X-Header-Add-2': 'header-add-2',
        'X-Header-Add-3': 'header-add-3',
      },
      remove: ['X-Header-Remove-1', 'X-Header-Remove-2'],
    }),
    request('/case', 4, {
      set: { 'X-Header-Set': 'header-set' },
      add: { 'X-Header-Add': 'header-add' },
      remove: ['X-Header-Remove'],
    }),
    request('/hostile', 5, { set: { 'X-Hostile': HOSTILE_VALUE }, add: { 'X-Hostile-Add': HOSTILE_VALUE } }),
    rule(
      'mod',
      6,
      prefix('/response'),
      forwardWith(
        {
          request: changes({ set: { 'X-Header-Set': 'set' } }),
          response: changes({
            set: { 'X-Resp-Set': 'set' },
            add: { 'x-Mixedcase-ADD': 'added', 'X-Resp-Hostile': HOSTILE_VALUE },
            remove: ['X-Resp-Remove'],
          }),
        },
        to(echo),
      ),
    ),
  ];
}

function redirectRules(): RouteRule[] {
  const r = (path: string, i: number, action: Parameters<typeof redirect>[0], headers = changes({})) =>
    rule('redir', i, prefix(path), redirect(action, headers));
  return [
    r('/hostname', 0, { hostname: 'example.org' }, changes({ add: { 'X-Redirected': 'yes' } })),
    r('/status301', 1, { statusCode: 301, hostname: 'example.org' }),
    r('/scheme', 2, { scheme: 'https' }),
    r('/port80', 3, { port: 80 }),
    r('/port', 4, { port: 8083 }),
    r('/prefix', 5, { path: { type: 'ReplacePrefixMatch', prefix: '/prefix', value: '/replacement' } }),
    r('/strip', 6, { path: { type: 'ReplacePrefixMatch', prefix: '/strip', value: '/' } }),
    r('/full', 7, { path: { type: 'ReplaceFullPath', value: '/full-replacement' } }),
    r('/303', 8, { statusCode: 303 }),
    r('/307', 9, { statusCode: 307 }),
    r('/308', 10, { statusCode: 308 }),
  ];
}

export const TLS_STATUS = { wildcardB: 221 } as const;

export interface FeatureOptions {
  /** Listener ports: `http` (plain), `alt` (8080) and `https`; `privileged` adds port 80. */
  readonly ports: { readonly http: number; readonly alt: number; readonly https: number };
  readonly privileged: boolean;
  readonly echo: readonly [string, number];
  readonly certs: {
    readonly a: TestCertificate;
    readonly b: TestCertificate;
    readonly fallback: TestCertificate;
  };
}

export function featureModel(options: FeatureOptions): GatewayModel {
  const echo = upstream('echo-a', 80, [options.echo]);
  const redirects = host('redir.example.com', redirectRules());
  const plain = [
    host('match.example.com', [...conditionalActionRules(echo.name), ...matchingRules(echo.name)]),
    host('mod.example.com', modifyingRules(echo.name)),
    redirects,
  ];
  const { a, b, fallback } = options.certs;
  const tlsHosts = [
    host(
      'a.example.com',
      [rule('tls', 0, prefix('/redirect'), redirect()), rule('tls', 1, prefix('/'), forward(to(echo.name)))],
      [a.model],
    ),
    host('*.b.example.com', [rule('tls', 2, prefix('/'), fixed(TLS_STATUS.wildcardB))], [b.model]),
  ];
  return gatewayModel(
    [
      ...(options.privileged ? [port(80, [redirects])] : []),
      port(options.ports.alt, [redirects]),
      port(options.ports.http, plain),
      httpsPort(options.ports.https, tlsHosts, fallback.model),
    ].sort((x, y) => x.port - y.port),
    [echo],
    [a.model, b.model, fallback.model],
  );
}
