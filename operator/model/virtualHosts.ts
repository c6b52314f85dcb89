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
import { compareObjects, lowerBound } from '../store/index.js';
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

/** A route entering or leaving one listener of a port, with its hostnames there. */
export interface RouteChange {
  readonly listener: ResolvedListener;
  readonly entry: ListenerRoute;
  readonly change: 'in' | 'out';
}

/** A virtual host with what it was built from: the same owner and candidates, the same host. */
interface CachedHost {
  readonly owner: ResolvedListener;
  readonly candidates: readonly ListenerRoute[];
  readonly host: VirtualHost;
}

/** A hostname named on the port, with its virtual host unless no listener receives its requests. */
interface Slot {
  readonly hostname: string;
  readonly cached: CachedHost | undefined;
}

/**
 * The virtual hosts of one port of one Gateway, kept from one resolution to the next by the
 * Resolver. A virtual host is a function of its owner listener and of the routes that are
 * candidates for its hostname, so:
 *
 * - built again, the port keeps the virtual host objects of its previous build whose
 *   owner and candidates are the same objects: with one route changed among thousands, the
 *   others keep their identity, which the drivers' caches use;
 * - told which routes entered and left its listeners (`update`), the port rebuilds only the
 *   hosts of their hostnames and puts new hostnames in place: a route with a hostname of its own
 *   then costs what it touches, not a walk over every host of the port.
 *
 * Owned by one Resolver and changed in place; what it hands out (`model`) is immutable.
 */
export class PortHosts {
  /** The port as the model shows it; a new object after every change. */
  model: HttpListenerPort;
  private readonly listeners: readonly ResolvedListener[];
  private readonly indexes: ReadonlyMap<ResolvedListener, RouteIndex>;
  /** How many listeners and route placements of the port name each hostname. */
  private readonly mentions = new Map<string, number>();
  /** Every hostname named on the port, most specific first. */
  private readonly slots: Slot[] = [];

  /** `previous` (the same port, built before) only lends hosts: the result is the same without. */
  constructor(
    private readonly port: number,
    listeners: readonly ProgrammableListener[],
    previous?: PortHosts,
  ) {
    this.listeners = listeners.map((l) => l.listener);
    this.indexes = new Map(listeners.map((l) => [l.listener, indexRoutes(l.routes)]));
    for (const { listener, routes } of listeners) {
      this.mention(listener.spec.hostname ?? CATCH_ALL, 1);
      for (const { hostnames } of routes) for (const h of hostnames) this.mention(h, 1);
    }
    const reusable = new Map(previous?.slots.map((slot) => [slot.hostname, slot.cached]));
    for (const hostname of [...this.mentions.keys()].sort(compareSpecificity))
      this.slots.push({ hostname, cached: this.hostFor(hostname, reusable.get(hostname)) });
    this.model = this.portModel();
  }

  /**
   * Routes entered and left this port's listeners, which are the same objects as when it was
   * built. False, with nothing changed, when a change names a wildcard or the catch-all: every
   * host it covers would change, and building the port again costs about the same.
   */
  update(changes: readonly RouteChange[]): boolean {
    if (!changes.every((change) => this.fits(change))) return false;
    const touched = new Set<string>();
    for (const { listener, entry, change } of changes) {
      const { exact } = this.indexes.get(listener)!;
      for (const hostname of entry.hostnames) {
        const routes = exact.get(hostname) ?? [];
        if (change === 'in') insertInRouteOrder(routes, entry);
        else removeEntry(routes, entry);
        if (routes.length > 0) exact.set(hostname, routes);
        else exact.delete(hostname);
        this.mention(hostname, change === 'in' ? 1 : -1);
        touched.add(hostname);
      }
    }
    for (const hostname of touched) this.replaceSlot(hostname);
    this.model = this.portModel();
    return true;
  }

  /** A change to exact hostnames of a listener of this port, taking out a route that is there. */
  private fits({ listener, entry, change }: RouteChange): boolean {
    const index = this.indexes.get(listener);
    return (
      index !== undefined &&
      entry.hostnames.every(
        (h) => h !== CATCH_ALL && !isWildcard(h) && (change === 'in' || index.exact.get(h)?.includes(entry)),
      )
    );
  }

  private mention(hostname: string, delta: 1 | -1): void {
    const count = (this.mentions.get(hostname) ?? 0) + delta;
    if (count > 0) this.mentions.set(hostname, count);
    else this.mentions.delete(hostname);
  }

  /** The slot of `hostname` after its routes changed: rebuilt, added, or gone with its last mention. */
  private replaceSlot(hostname: string): void {
    const at = this.position(hostname);
    const present = this.slots[at]?.hostname === hostname;
    if (!this.mentions.has(hostname)) {
      if (present) this.slots.splice(at, 1);
      return;
    }
    const slot = { hostname, cached: this.hostFor(hostname, present ? this.slots[at]!.cached : undefined) };
    if (present) this.slots[at] = slot;
    else this.slots.splice(at, 0, slot);
  }

  /** Where `hostname` is among the slots, or would go. */
  private position(hostname: string): number {
    return lowerBound(this.slots, (slot) => compareSpecificity(slot.hostname, hostname) < 0);
  }

  /** The virtual host of `hostname`: `previous` again when built from the same owner and candidates. */
  private hostFor(hostname: string, previous: CachedHost | undefined): CachedHost | undefined {
    const owner = ownerOf(this.listeners, hostname);
    if (!owner) return undefined;
    const candidates = candidatesFor(this.indexes.get(owner)!, hostname);
    if (
      previous?.owner === owner &&
      previous.candidates.length === candidates.length &&
      previous.candidates.every((route, i) => route === candidates[i])
    )
      return previous;
    const host: VirtualHost = {
      hostname,
      listener: owner.spec.name,
      certificates: owner.certificates.map((c) => c.id),
      rules: rulesFor(candidates, hostname),
    };
    return { owner, candidates, host };
  }

  private portModel(): HttpListenerPort {
    const virtualHosts: VirtualHost[] = [];
    for (const { cached } of this.slots) if (cached) virtualHosts.push(cached.host);
    const { port, listeners } = this;
    // Listeners sharing a port share a protocol (resolveListeners marks any clash as a conflict).
    if (listeners[0]?.spec.protocol !== 'HTTPS')
      return { kind: 'http', port, protocol: 'HTTP', virtualHosts };
    // The catch-all, when there is one, is the least specific host: the last.
    const last = virtualHosts.at(-1);
    const catchAll = last?.hostname === CATCH_ALL ? last : undefined;
    const defaultCertificate = (catchAll?.certificates ?? listeners[0].certificates.map((c) => c.id))[0];
    return {
      kind: 'http',
      port,
      protocol: 'HTTPS',
      virtualHosts,
      ...(defaultCertificate ? { defaultCertificate } : {}),
    };
  }
}

/** The ports of a Gateway's programmable listeners, by number; `previous` lends hosts as above. */
export function buildPortHosts(
  listeners: readonly ProgrammableListener[],
  previous?: ReadonlyMap<number, PortHosts>,
): Map<number, PortHosts> {
  const ports = new Map<number, PortHosts>();
  for (const [port, onPort] of groupBy(listeners, (l) => l.listener.spec.port))
    ports.set(port, new PortHosts(port, onPort, previous?.get(port)));
  return ports;
}

const isWildcard = (hostname: string): boolean => hostname.startsWith('*.');

/** The listener that receives requests for `hostname`: the most specific one covering it. */
function ownerOf(listeners: readonly ResolvedListener[], hostname: string): ResolvedListener | undefined {
  const covering = listeners.filter((l) => covers(l.spec.hostname ?? CATCH_ALL, hostname));
  return covering.sort((a, b) =>
    compareSpecificity(a.spec.hostname ?? CATCH_ALL, b.spec.hostname ?? CATCH_ALL),
  )[0];
}

/**
 * A listener's routes by the kind of hostname they serve, so that finding the routes covering one
 * hostname does not look at every route: thousands of routes with their own hostname would make
 * that quadratic. Only wildcard routes need the `covers` test; they are few in practice. Each
 * list is in route order (namespace/name), as a build from scratch makes it.
 */
interface RouteIndex {
  readonly exact: Map<string, ListenerRoute[]>;
  readonly wildcard: readonly ListenerRoute[];
  readonly catchAll: readonly ListenerRoute[];
}

function indexRoutes(routes: readonly ListenerRoute[]): RouteIndex {
  const exact = new Map<string, ListenerRoute[]>();
  const wildcard: ListenerRoute[] = [];
  const catchAll: ListenerRoute[] = [];
  for (const route of routes) {
    if (route.hostnames.includes(CATCH_ALL)) catchAll.push(route);
    if (route.hostnames.some(isWildcard)) wildcard.push(route);
    for (const h of route.hostnames) {
      if (h === CATCH_ALL || isWildcard(h)) continue;
      const list = exact.get(h);
      if (list) list.push(route);
      else exact.set(h, [route]);
    }
  }
  return { exact, wildcard, catchAll };
}

/** Puts `entry` where a build from routes in store order would have it. */
export function insertInRouteOrder(routes: ListenerRoute[], entry: ListenerRoute): void {
  routes.splice(
    lowerBound(routes, (other) => compareObjects(other.route.route, entry.route.route) < 0),
    0,
    entry,
  );
}

/** Takes out `entry`, which must be there: what was put in is what leaves. */
export function removeEntry(routes: ListenerRoute[], entry: ListenerRoute): void {
  const at = routes.indexOf(entry);
  if (at < 0)
    throw new Error(
      `route ${entry.route.route.metadata.namespace}/${entry.route.route.metadata.name} is not where it was placed`,
    );
  routes.splice(at, 1);
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
