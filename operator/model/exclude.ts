/**
 * A model without some routes, for when the proxy rejects a configuration and the routes that
 * caused it are set aside so that the rest can still be served.
 */
import type { GatewayModel, RuleSource } from './types.js';

/** `HTTPRoute/<namespace>/<name>`: how a route is named when it is set aside. */
export function routeKey(source: RuleSource): string {
  return `${source.kind}/${source.route.namespace}/${source.route.name}`;
}

export function withoutRoutes(model: GatewayModel, excluded: ReadonlySet<string>): GatewayModel {
  const ports = model.ports.map((port) => ({
    ...port,
    virtualHosts: port.virtualHosts.map((host) => ({
      ...host,
      rules: host.rules.filter((rule) => !excluded.has(routeKey(rule.source))),
    })),
  }));
  const used = new Set<string>();
  for (const port of ports) {
    for (const host of port.virtualHosts) {
      for (const { action } of host.rules) {
        if (action.kind !== 'forward') continue;
        for (const backend of action.backends) if (backend.kind === 'upstream') used.add(backend.upstream);
      }
    }
  }
  return { ...model, ports, upstreams: model.upstreams.filter((u) => used.has(u.name)) };
}

/** Every route that has at least one rule in the model, in a stable order. */
export function routesIn(model: GatewayModel): string[] {
  const keys = new Set<string>();
  for (const port of model.ports)
    for (const host of port.virtualHosts) for (const rule of host.rules) keys.add(routeKey(rule.source));
  return [...keys].sort();
}
