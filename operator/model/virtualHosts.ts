/**
 * Builds the model of one Gateway from its programmable listeners and the routes attached to
 * them. Requests on a port go first to a listener (the most specific listener hostname that
 * matches), then to the best route rule on that listener. A proxy only knows "most specific
 * server name wins", so every hostname that any listener or route mentions becomes a virtual
 * host, owned by the listener that would receive its requests, carrying every rule of that
 * listener whose hostname covers it, in precedence order. Picking the most specific virtual
 * host therefore picks the right listener and the right candidate rules at once.
 */
import { groupBy } from './groupBy.js';
import type { ResolvedListener } from './gateway.js';
import { CATCH_ALL, compareSpecificity, covers, hostnameWeight } from './hostnames.js';
import type { AttachedRoute } from './httpRoute.js';
import { ruleId } from './names.js';
import { comparePrecedence, type RankedRule } from './sort.js';
import type { HttpListenerPort, PathMatch, RouteRule, VirtualHost } from './types.js';

/** A route attached to a listener, with the hostnames it serves there. */
export interface ListenerRoute {
  readonly route: AttachedRoute;
  readonly hostnames: readonly string[];
}

export interface ProgrammableListener {
  readonly listener: ResolvedListener;
  readonly routes: readonly ListenerRoute[];
}

export function buildHttpPorts(listeners: readonly ProgrammableListener[]): HttpListenerPort[] {
  const byPort = groupBy(listeners, (l) => l.listener.spec.port);
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, onPort]) => ({ kind: 'http', port, virtualHosts: virtualHostsFor(onPort) }));
}

function virtualHostsFor(listeners: readonly ProgrammableListener[]): VirtualHost[] {
  const hostnames = new Set<string>();
  for (const { listener, routes } of listeners) {
    hostnames.add(listener.spec.hostname ?? CATCH_ALL);
    for (const { hostnames: served } of routes) for (const h of served) hostnames.add(h);
  }
  return [...hostnames].sort(compareSpecificity).flatMap((hostname) => {
    const owner = ownerOf(listeners, hostname);
    return owner ? [{ hostname, listener: owner.listener.spec.name, rules: rulesFor(owner, hostname) }] : [];
  });
}

/** The listener that receives requests for `hostname`: the most specific one covering it. */
function ownerOf(
  listeners: readonly ProgrammableListener[],
  hostname: string,
): ProgrammableListener | undefined {
  const covering = listeners.filter((l) => covers(l.listener.spec.hostname ?? CATCH_ALL, hostname));
  return covering.sort((a, b) =>
    compareSpecificity(a.listener.spec.hostname ?? CATCH_ALL, b.listener.spec.hostname ?? CATCH_ALL),
  )[0];
}

function rulesFor(owner: ProgrammableListener, hostname: string): RouteRule[] {
  const ranked: (RankedRule & { rule: RouteRule })[] = [];
  for (const { route, hostnames } of owner.routes) {
    const matching = hostnames.filter((h) => covers(h, hostname));
    if (matching.length === 0) continue;
    const weight = Math.max(...matching.map(hostnameWeight));
    const { metadata, spec } = route.route;
    const name = { namespace: metadata.namespace, name: metadata.name };
    for (const [i, rule] of spec.rules.entries()) {
      const action = route.actions[i];
      if (!action) continue;
      for (const [j, match] of rule.matches.entries()) {
        const path = normalizePath(match.path);
        const source = { kind: 'HTTPRoute', route: name, rule: i, match: j } as const;
        ranked.push({
          hostnameWeight: weight,
          path,
          routeCreated: metadata.creationTimestamp,
          source,
          rule: { id: ruleId(name, i, j), source, match: { path }, action },
        });
      }
    }
  }
  return ranked.sort(comparePrecedence).map(({ rule }) => rule);
}

/** A trailing slash on a PathPrefix is not significant: `/match/` matches like `/match`. */
function normalizePath(path: { readonly type: string; readonly value: string }): PathMatch {
  if (path.type === 'Exact') return { type: 'Exact', value: path.value };
  const trimmed = path.value.length > 1 ? path.value.replace(/\/+$/, '') : path.value;
  return { type: 'PathPrefix', value: trimmed || '/' };
}
