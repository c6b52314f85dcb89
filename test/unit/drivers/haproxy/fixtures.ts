/**
 * Small hand-built models for the HAProxy driver tests. The shapes follow
 * operator/model/types.ts; ids come from the model's own naming functions.
 */
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
import { ruleId, upstreamName } from '../../../../operator/model/names.js';
import type { RenderTarget } from '../../../../drivers/driver.js';

export function gateway(
  ports: HttpListenerPort[],
  upstreams: Upstream[] = [],
  workers?: number,
): GatewayModel {
  return {
    gateway: { namespace: 'default', name: 'gw' },
    driver: 'haproxy',
    settings: { drainTimeoutSeconds: 5, ...(workers === undefined ? {} : { workers }) },
    ports,
    upstreams,
  };
}

export function port(number: number, ...virtualHosts: VirtualHost[]): HttpListenerPort {
  return { kind: 'http', port: number, virtualHosts };
}

export function vhost(hostname: string, ...rules: RouteRule[]): VirtualHost {
  return { hostname, listener: 'http', rules };
}

/** A rule of HTTPRoute default/<route>, rule `index`, match 0. */
export function rule(route: string, index: number, path: PathMatch, action: RuleAction): RouteRule {
  const name = { namespace: 'default', name: route };
  return {
    id: ruleId(name, index, 0),
    source: { kind: 'HTTPRoute', route: name, rule: index, match: 0 },
    match: { path },
    action,
  };
}

export const exact = (value: string): PathMatch => ({ type: 'Exact', value });
export const prefix = (value: string): PathMatch => ({ type: 'PathPrefix', value });
export const forward = (...backends: WeightedBackend[]): RuleAction => ({ kind: 'forward', backends });
export const fixed = (status: number): RuleAction => ({ kind: 'fixedResponse', status });
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
