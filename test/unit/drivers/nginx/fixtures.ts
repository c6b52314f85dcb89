/**
 * Small hand-built models for the nginx driver tests. Shapes follow operator/model/types.ts; ids
 * and upstream names come from names.ts so they look exactly like the resolver's.
 */
import { ruleId, upstreamName } from '../../../../operator/model/names.js';
import type {
  Endpoint,
  GatewayModel,
  HttpListenerPort,
  PathMatch,
  RouteRule,
  RuleAction,
  Upstream,
  VirtualHost,
  WeightedBackend,
} from '../../../../operator/model/types.js';

export const exact = (value: string): PathMatch => ({ type: 'Exact', value });
export const prefix = (value: string): PathMatch => ({ type: 'PathPrefix', value });

export const fixed = (status: number): RuleAction => ({ kind: 'fixedResponse', status });
export const forward = (...backends: WeightedBackend[]): RuleAction => ({ kind: 'forward', backends });
export const to = (upstream: string, weight = 1): WeightedBackend => ({ kind: 'upstream', upstream, weight });
export const invalid = (weight = 1): WeightedBackend => ({ kind: 'invalid', weight });

/** A rule of route `default/<route>`; `index` is its rule number (match 0). */
export function rule(route: string, index: number, path: PathMatch, action: RuleAction): RouteRule {
  const source = { namespace: 'default', name: route };
  return {
    id: ruleId(source, index, 0),
    source: { kind: 'HTTPRoute', route: source, rule: index, match: 0 },
    match: { path },
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

export const host = (hostname: string, rules: readonly RouteRule[]): VirtualHost => ({
  hostname,
  listener: 'http',
  rules,
});
export const port = (number: number, virtualHosts: readonly VirtualHost[]): HttpListenerPort => ({
  kind: 'http',
  port: number,
  virtualHosts,
});

export function gatewayModel(
  ports: readonly HttpListenerPort[],
  upstreams: readonly Upstream[] = [],
): GatewayModel {
  return {
    gateway: { namespace: 'default', name: 'gw' },
    driver: 'nginx',
    settings: { drainTimeoutSeconds: 5 },
    ports,
    upstreams: [...upstreams].sort((a, b) => (a.name < b.name ? -1 : 1)),
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
