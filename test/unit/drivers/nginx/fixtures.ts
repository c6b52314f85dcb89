/**
 * Small hand-built models for the nginx driver tests. Shapes follow operator/model/types.ts; ids
 * and upstream names come from names.ts so they look exactly like the resolver's.
 */
import { createHash } from 'node:crypto';
import { ruleId, upstreamName } from '../../../../operator/model/names.js';
import type {
  Certificate,
  Endpoint,
  GatewayModel,
  HeaderModifier,
  HttpListenerPort,
  HttpMethod,
  PathMatch,
  Redirect,
  RequestMatch,
  RouteRule,
  RuleAction,
  Upstream,
  ValueMatch,
  VirtualHost,
  WeightedBackend,
} from '../../../../operator/model/types.js';

export const exact = (value: string): PathMatch => ({ type: 'Exact', value });
export const prefix = (value: string): PathMatch => ({ type: 'PathPrefix', value });

export const NO_CHANGES: HeaderModifier = { set: [], add: [], remove: [] };
/** A HeaderModifier from `{ set: { Name: value }, add: {...}, remove: [...] }`. */
export function changes(spec: {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}): HeaderModifier {
  const values = (r: Record<string, string> = {}) =>
    Object.entries(r).map(([name, value]) => ({ name, value }));
  return { set: values(spec.set), add: values(spec.add), remove: spec.remove ?? [] };
}

export const fixed = (status: number): RuleAction => ({ kind: 'fixedResponse', status });
export const forward = (...backends: WeightedBackend[]): RuleAction => ({
  kind: 'forward',
  backends,
  requestHeaders: NO_CHANGES,
  responseHeaders: NO_CHANGES,
});
export const forwardWith = (
  headers: { request?: HeaderModifier; response?: HeaderModifier },
  ...backends: WeightedBackend[]
): RuleAction => ({
  kind: 'forward',
  backends,
  requestHeaders: headers.request ?? NO_CHANGES,
  responseHeaders: headers.response ?? NO_CHANGES,
});
export const redirect = (r: Partial<Redirect> = {}, responseHeaders = NO_CHANGES): RuleAction => ({
  kind: 'redirect',
  redirect: { statusCode: 302, ...r },
  responseHeaders,
});
export const to = (upstream: string, weight = 1): WeightedBackend => ({ kind: 'upstream', upstream, weight });
export const invalid = (weight = 1): WeightedBackend => ({ kind: 'invalid', weight });

export const header = (name: string, value: string): ValueMatch => ({ type: 'Exact', name, value });
export const headerRegex = (name: string, value: string): ValueMatch => ({
  type: 'RegularExpression',
  name,
  value,
});
export const query = (name: string, value: string, type: ValueMatch['type'] = 'Exact'): ValueMatch => ({
  type,
  name,
  value,
});

/** A match beyond its path: conditions, and which match of the route rule it is. */
export interface MatchSpec {
  readonly path: PathMatch;
  readonly method?: HttpMethod;
  readonly headers?: readonly ValueMatch[];
  readonly queryParams?: readonly ValueMatch[];
  /** Index of the match within the route rule (default 0). */
  readonly match?: number;
}

/** A rule of route `default/<route>`; `index` is its rule number, `match` a path or a MatchSpec. */
export function rule(
  route: string,
  index: number,
  match: PathMatch | MatchSpec,
  action: RuleAction,
): RouteRule {
  const spec: MatchSpec = 'path' in match ? match : { path: match };
  const source = { namespace: 'default', name: route };
  const matchIndex = spec.match ?? 0;
  const request: RequestMatch = {
    path: spec.path,
    ...(spec.method ? { method: spec.method } : {}),
    headers: spec.headers ?? [],
    queryParams: spec.queryParams ?? [],
  };
  return {
    id: ruleId(source, index, matchIndex),
    source: { kind: 'HTTPRoute', route: source, rule: index, match: matchIndex },
    match: request,
    action,
  };
}

export function upstream(
  service: string,
  port: number,
  endpoints: readonly (readonly [string, number])[],
): Upstream {
  const ref = { namespace: 'default', name: service };
  return {
    name: upstreamName(ref, port),
    service: ref,
    port,
    endpoints: endpoints.map(([address, endpointPort]): Endpoint => ({
      family: address.includes(':') ? 'IPv6' : 'IPv4',
      address,
      port: endpointPort,
    })),
  };
}

export const host = (
  hostname: string,
  rules: readonly RouteRule[],
  certificates: readonly Certificate[] = [],
): VirtualHost => ({
  hostname,
  listener: certificates.length > 0 ? 'https' : 'http',
  certificates: certificates.map((c) => c.id),
  rules,
});
export const port = (number: number, virtualHosts: readonly VirtualHost[]): HttpListenerPort => ({
  kind: 'http',
  port: number,
  protocol: 'HTTP',
  virtualHosts,
});
export const httpsPort = (
  number: number,
  virtualHosts: readonly VirtualHost[],
  defaultCertificate: Certificate,
): HttpListenerPort => ({
  kind: 'http',
  port: number,
  protocol: 'HTTPS',
  defaultCertificate: defaultCertificate.id,
  virtualHosts,
});

/** A model Certificate for `pem`, its id computed as the resolver does. */
export const certificate = (pem: string): Certificate => ({
  id: createHash('sha256').update(pem).digest('hex'),
  pem,
});

export function gatewayModel(
  ports: readonly HttpListenerPort[],
  upstreams: readonly Upstream[] = [],
  certificates: readonly Certificate[] = [],
): GatewayModel {
  return {
    gateway: { namespace: 'default', name: 'gw' },
    driver: 'nginx',
    settings: { drainTimeoutSeconds: 5 },
    ports,
    upstreams: [...upstreams].sort((a, b) => (a.name < b.name ? -1 : 1)),
    certificates: [...certificates].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

/**
 * Each payload would smuggle the unknown directive `gateplane_injected` (or unbalance the braces)
 * into the configuration if it escaped its token, which `nginx -t` rejects; so the checker
 * accepting the rendered file proves every payload stayed one token. The integration test
 * requests each path to prove it also kept its value.
 */
export const HOSTILE_PATHS = [
  '/q"uote;gateplane_injected;"',
  '/semi;gateplane_injected;',
  '/brace{gateplane_injected}',
  '/close}gateplane_injected{',
  '/hash#mid-token',
  '/hash #gateplane_injected',
  '/dollar$host${x}',
  '/back\\"gateplane_injected;\\',
  '/trailing\\',
  '/space gateplane_injected ',
  "/single'quote'",
  '/tab\tgateplane_injected',
];

/** Header values (and redirect parts) that would break out of a token or expand if mishandled. */
export const HOSTILE_HEADER_VALUES = [
  'q"uote;gateplane_injected;"',
  "single'quote",
  '$host${request_uri}$1',
  'brace{gateplane_injected}',
  'close}gateplane_injected{',
  'hash #gateplane_injected',
  'back\\"gateplane_injected;\\',
  ' spaced and ; semicolon ',
];
