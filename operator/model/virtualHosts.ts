/**
 * Builds the model of one Gateway from its programmable listeners and the routes attached to
 * them. Requests on a port go first to a listener (the most specific listener hostname that
 * matches), then to the best route rule on that listener. A proxy only knows "most specific
 * server name wins", so every hostname that any listener or route mentions becomes a virtual
 * host, owned by the listener that would receive its requests, carrying every rule of that
 * listener whose hostname covers it, in precedence order. Picking the most specific virtual
 * host therefore picks the right listener and the right candidate rules at once.
 */
import { groupBy } from '../store/groupBy.js';
import type { ResolvedListener } from './gateway.js';
import { CATCH_ALL, compareSpecificity, covers, hostnameWeight } from './hostnames.js';
import type { AttachedRoute } from './httpRoute.js';
import { ruleId } from './names.js';
import { comparePrecedence, type RankedRule } from './sort.js';
import type { HttpListenerPort, RouteRule, VirtualHost } from './types.js';

/** A route attached to a listener, with the hostnames it serves there. */
export interface ListenerRoute {
  readonly route: AttachedRoute;
  readonly hostnames: readonly string[];
}

export interface ProgrammableListener {
  readonly listener: ResolvedListener;
  readonly routes: readonly ListenerRoute[];
}

/**
 * Virtual hosts of the previous resolution, for reuse by the next: a virtual host is a function
 * of its owner listener and of the routes that are candidates for its hostname, so when both
 * are the same objects as last time, so is the virtual host. Thousands of hosts then cost a
 * lookup each when one route changes, and keep their identity, which the drivers' caches use.
 */
export class VirtualHostCache {
  /** By owner listener, then hostname: a listener's hostnames on its port are distinct. */
  private previous = new Map<ResolvedListener, Map<string, CachedHost>>();
  private current = new Map<ResolvedListener, Map<string, CachedHost>>();

  /** Begin a resolution: what the one before did not use is forgotten. */
  begin(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** The virtual host built last time for `hostname` from the same owner and candidates. */
  get(
    owner: ResolvedListener,
    hostname: string,
    candidates: readonly ListenerRoute[],
  ): VirtualHost | undefined {
    const cached = this.previous.get(owner)?.get(hostname);
    if (
      cached === undefined ||
      cached.candidates.length !== candidates.length ||
      !cached.candidates.every((route, i) => route === candidates[i])
    )
      return undefined;
    this.keep(owner, hostname, cached);
    return cached.host;
  }

  set(
    owner: ResolvedListener,
    hostname: string,
    candidates: readonly ListenerRoute[],
    host: VirtualHost,
  ): void {
    this.keep(owner, hostname, { candidates, host });
  }

  private keep(owner: ResolvedListener, hostname: string, entry: CachedHost): void {
    let hosts = this.current.get(owner);
    if (!hosts) this.current.set(owner, (hosts = new Map<string, CachedHost>()));
    hosts.set(hostname, entry);
  }
}

interface CachedHost {
  readonly candidates: readonly ListenerRoute[];
  readonly host: VirtualHost;
}

/** `cache` is optional: the result is the same without. */
export function buildHttpPorts(
  listeners: readonly ProgrammableListener[],
  cache?: VirtualHostCache,
): HttpListenerPort[] {
  const byPort = groupBy(listeners, (l) => l.listener.spec.port);
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, onPort]) => {
      const virtualHosts = virtualHostsFor(onPort, cache);
      // Listeners sharing a port share a protocol (resolveListeners marks any clash as a conflict).
      if (onPort[0]?.listener.spec.protocol !== 'HTTPS')
        return { kind: 'http', port, protocol: 'HTTP', virtualHosts };
      const catchAll = virtualHosts.find((v) => v.hostname === CATCH_ALL);
      const defaultCertificate = (catchAll?.certificates ??
        onPort[0].listener.certificates.map((c) => c.id))[0];
      return {
        kind: 'http',
        port,
        protocol: 'HTTPS',
        virtualHosts,
        ...(defaultCertificate ? { defaultCertificate } : {}),
      };
    });
}

function virtualHostsFor(
  listeners: readonly ProgrammableListener[],
  cache: VirtualHostCache | undefined,
): VirtualHost[] {
  const hostnames = new Set<string>();
  for (const { listener, routes } of listeners) {
    hostnames.add(listener.spec.hostname ?? CATCH_ALL);
    for (const { hostnames: served } of routes) for (const h of served) hostnames.add(h);
  }
  const indexes = new Map(listeners.map((l) => [l, indexRoutes(l.routes)]));
  return [...hostnames].sort(compareSpecificity).flatMap((hostname) => {
    const owner = ownerOf(listeners, hostname);
    if (!owner) return [];
    const { spec, certificates } = owner.listener;
    const index = indexes.get(owner)!;
    const candidates = candidatesFor(index, hostname);
    const cached = cache?.get(owner.listener, hostname, candidates);
    if (cached) return [cached];
    const host: VirtualHost = {
      hostname,
      listener: spec.name,
      certificates: certificates.map((c) => c.id),
      rules: rulesFor(candidates, hostname),
    };
    cache?.set(owner.listener, hostname, candidates, host);
    return [host];
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

/**
 * A listener's routes by the kind of hostname they serve, so that finding the routes covering one
 * hostname does not look at every route: thousands of routes with their own hostname would make
 * that quadratic. Only wildcard routes need the `covers` test; they are few in practice.
 */
interface RouteIndex {
  readonly exact: ReadonlyMap<string, readonly ListenerRoute[]>;
  readonly wildcard: readonly ListenerRoute[];
  readonly catchAll: readonly ListenerRoute[];
}

function indexRoutes(routes: readonly ListenerRoute[]): RouteIndex {
  const exact = new Map<string, ListenerRoute[]>();
  const wildcard: ListenerRoute[] = [];
  const catchAll: ListenerRoute[] = [];
  for (const route of routes) {
    if (route.hostnames.includes(CATCH_ALL)) catchAll.push(route);
    if (route.hostnames.some((h) => h.startsWith('*.'))) wildcard.push(route);
    for (const h of route.hostnames) {
      if (h === CATCH_ALL || h.startsWith('*.')) continue;
      const list = exact.get(h);
      if (list) list.push(route);
      else exact.set(h, [route]);
    }
  }
  return { exact, wildcard, catchAll };
}

/** The routes that may serve `hostname`: a route in several lists (hostnames of several kinds) once. */
function candidatesFor(index: RouteIndex, hostname: string): ListenerRoute[] {
  const exact = index.exact.get(hostname) ?? [];
  if (index.wildcard.length === 0 && index.catchAll.length === 0) return [...exact];
  return [...new Set([...exact, ...index.wildcard, ...index.catchAll])];
}

function rulesFor(candidates: readonly ListenerRoute[], hostname: string): RouteRule[] {
  // Ranked once per route, by its best matching hostname.
  const ranked: (RankedRule & { rule: RouteRule })[] = [];
  for (const { route, hostnames } of candidates) {
    const matching = hostnames.filter((h) => covers(h, hostname));
    if (matching.length === 0) continue;
    const weight = Math.max(...matching.map(hostnameWeight));
    const { metadata } = route.route;
    const name = { namespace: metadata.namespace, name: metadata.name };
    for (const [i, matches] of route.rules.entries()) {
      for (const [j, { match, action }] of matches.entries()) {
        const source = { kind: 'HTTPRoute', route: name, rule: i, match: j } as const;
        ranked.push({
          hostnameWeight: weight,
          match,
          routeCreated: metadata.creationTimestamp,
          source,
          rule: { id: ruleId(name, i, j), source, match, action },
        });
      }
    }
  }
  return ranked.sort(comparePrecedence).map(({ rule }) => rule);
}
