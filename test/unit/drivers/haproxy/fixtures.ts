/**
 * Small hand-built models for the HAProxy driver tests. The shapes follow
 * operator/model/types.ts; ids come from the model's own naming functions.
 */
import { createHash } from 'node:crypto';
import type {
  Certificate,
  Endpoint,
  GatewayModel,
  HeaderModifier,
  HeaderValue,
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
import { ruleId, upstreamName } from '../../../../operator/model/names.js';
import type { RenderTarget } from '../../../../drivers/driver.js';

export function gateway(
  ports: HttpListenerPort[],
  upstreams: Upstream[] = [],
  options: { workers?: number; certificates?: Certificate[] } = {},
): GatewayModel {
  const { workers, certificates = [] } = options;
  return {
    gateway: { namespace: 'default', name: 'gw' },
    driver: 'haproxy',
    settings: { drainTimeoutSeconds: 5, ...(workers === undefined ? {} : { workers }) },
    ports,
    upstreams,
    certificates: [...certificates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

export function port(number: number, ...virtualHosts: VirtualHost[]): HttpListenerPort {
  return { kind: 'http', port: number, protocol: 'HTTP', virtualHosts };
}

/** An HTTPS port; `defaultCertificate` as the model picks it when not given: the first host's. */
export function httpsPort(
  number: number,
  virtualHosts: VirtualHost[],
  defaultCertificate = virtualHosts[0]?.certificates[0],
): HttpListenerPort {
  return {
    kind: 'http',
    port: number,
    protocol: 'HTTPS',
    ...(defaultCertificate === undefined ? {} : { defaultCertificate }),
    virtualHosts,
  };
}

export function vhost(hostname: string, ...rules: RouteRule[]): VirtualHost {
  return { hostname, listener: 'http', certificates: [], rules };
}

export function tlsVhost(hostname: string, certificates: Certificate[], ...rules: RouteRule[]): VirtualHost {
  return { hostname, listener: 'https', certificates: certificates.map((c) => c.id), rules };
}

export function certificate(pem: string): Certificate {
  return { id: createHash('sha256').update(pem).digest('hex'), pem };
}

/** A whole match: its path and, optionally, the conditions besides it. */
export interface MatchSpec {
  readonly path: PathMatch;
  readonly method?: HttpMethod;
  readonly headers?: ValueMatch[];
  readonly queryParams?: ValueMatch[];
}

/** A rule of HTTPRoute default/<route>, rule `index`, match 0, on a path or a whole match. */
export function rule(route: string, index: number, on: PathMatch | MatchSpec, action: RuleAction): RouteRule {
  const name = { namespace: 'default', name: route };
  const spec: MatchSpec = 'path' in on ? on : { path: on };
  const match: RequestMatch = {
    path: spec.path,
    ...(spec.method ? { method: spec.method } : {}),
    headers: spec.headers ?? [],
    queryParams: spec.queryParams ?? [],
  };
  return {
    id: ruleId(name, index, 0),
    source: { kind: 'HTTPRoute', route: name, rule: index, match: 0 },
    match,
    action,
  };
}

export const exact = (value: string): PathMatch => ({ type: 'Exact', value });
export const prefix = (value: string): PathMatch => ({ type: 'PathPrefix', value });
export const equals = (name: string, value: string): ValueMatch => ({ type: 'Exact', name, value });
export const regex = (name: string, value: string): ValueMatch => ({
  type: 'RegularExpression',
  name,
  value,
});

export const NO_CHANGES: HeaderModifier = { set: [], add: [], remove: [] };

export function changes(
  set: HeaderValue[] = [],
  add: HeaderValue[] = [],
  remove: string[] = [],
): HeaderModifier {
  return { set, add, remove };
}

export const forward = (...backends: WeightedBackend[]): RuleAction => ({
  kind: 'forward',
  backends,
  requestHeaders: NO_CHANGES,
  responseHeaders: NO_CHANGES,
});

export function forwardWith(
  headers: { request?: HeaderModifier; response?: HeaderModifier },
  ...backends: WeightedBackend[]
): RuleAction {
  return {
    kind: 'forward',
    backends,
    requestHeaders: headers.request ?? NO_CHANGES,
    responseHeaders: headers.response ?? NO_CHANGES,
  };
}

export const fixed = (status: number): RuleAction => ({ kind: 'fixedResponse', status });
export const redirect = (spec: Redirect, responseHeaders = NO_CHANGES): RuleAction => ({
  kind: 'redirect',
  redirect: spec,
  responseHeaders,
});
export const to = (upstream: Upstream, weight = 1): WeightedBackend => ({
  kind: 'upstream',
  upstream: upstream.name,
  weight,
});
export const invalid = (weight = 1): WeightedBackend => ({ kind: 'invalid', weight });

export function upstream(service: string, servicePort: number, endpoints: Endpoint[]): Upstream {
  const name = { namespace: 'default', name: service };
  return { name: upstreamName(name, servicePort), service: name, port: servicePort, endpoints };
}

export function endpoint(address: string, endpointPort: number): Endpoint {
  return { family: address.includes(':') ? 'IPv6' : 'IPv4', address, port: endpointPort };
}

export function target(runtimeDir: string, bindAddress = '127.0.42.1'): RenderTarget {
  return { bindAddress, runtimeDir };
}
