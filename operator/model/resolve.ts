/**
 * The resolver: a pure function from a store snapshot to one model per Gateway we serve and the
 * status of every object we own. All Gateway API semantics live in this folder; this file only
 * reads like the recipe. No clock, I/O, logger or randomness here or below.
 *
 * A `Resolver` gives the same results as `resolve`, and reuses what the previous snapshot gave
 * where its inputs did not change (reads.ts): the Gateways and their listeners, each route's
 * attachment, each virtual host, each route's status; the unchanged parts of the model keep
 * their identity. When only a few routes changed since the last resolution, it goes further
 * (routeChange): only they are attached, and only the virtual hosts of their hostnames are
 * rebuilt, so one changed route among thousands costs what it touches.
 */
import { KINDS, type HTTPRoute, type Kind, type KubeObject } from '../api/kinds.js';
import { compareObjects, lowerBound, type StoreSnapshot } from '../store/index.js';
import * as c from './conditions.js';
import { acceptGatewayClasses, type ResolvedClass } from './gatewayClass.js';
import { resolveGateways, type ResolvedGateway } from './gateway.js';
import { attachHTTPRoute, gatewaysByName, type AttachedRoute, type GatewaysByName } from './httpRoute.js';
import { memoized } from './memo.js';
import type { ResolveOptions } from './options.js';
import { readsHold, recordReads, type Reads } from './reads.js';
import { withGeneration, type ObjectStatus, type RouteParentStatus } from './status.js';
import type { Certificate, GatewayModel, NamespacedName, Upstream } from './types.js';
import {
  buildPortHosts,
  insertInRouteOrder,
  removeEntry,
  PortHosts,
  type ListenerRoute,
  type ProgrammableListener,
  type RouteChange,
} from './virtualHosts.js';

export interface ResolvedGatewayEntry {
  readonly gateway: NamespacedName;
  /** Undefined when the Gateway is not accepted: nothing of it should be served. */
  readonly model: GatewayModel | undefined;
  /** `spec.addresses`, for the deployer that assigns addresses. */
  readonly requestedAddresses: readonly { readonly type: string; readonly value: string }[];
}

export interface Resolution {
  /** Every Gateway of one of our classes, sorted by namespace/name. */
  readonly gateways: readonly ResolvedGatewayEntry[];
  readonly statuses: readonly ObjectStatus[];
}

export function resolve(snapshot: StoreSnapshot, options: ResolveOptions): Resolution {
  return new Resolver(options).resolve(snapshot);
}

interface GatewayPhase {
  readonly reads: Reads;
  readonly classes: ReadonlyMap<string, ResolvedClass>;
  readonly gateways: readonly ResolvedGateway[];
  readonly byName: GatewaysByName;
}

interface RouteMemo {
  readonly gateways: readonly ResolvedGateway[];
  readonly reads: Reads;
  readonly attached: AttachedRoute | undefined;
}

/** What the Resolver keeps of its last resolution, for the next. */
interface Kept {
  /** The store version resolved. */
  readonly at: number;
  readonly phase: GatewayPhase;
  /** The snapshot's HTTPRoutes, in its order. */
  readonly routes: readonly HTTPRoute[];
  /** Those of them that name one of our Gateways, in the same order. */
  readonly attached: readonly AttachedRoute[];
  readonly gateways: ReadonlyMap<ResolvedGateway, GatewayRoutes>;
}

/** One Gateway's routes and the model built from them. */
interface GatewayRoutes {
  readonly byListener: RoutesByListener;
  /** Empty when the Gateway is not accepted. */
  readonly ports: ReadonlyMap<number, PortHosts>;
  readonly upstreams: UpstreamSet;
  readonly entry: ResolvedGatewayEntry;
}

/** More routes changed at once than this, and a resolution starts from the routes' memos. */
const MAX_ROUTE_CHANGES = 64;

export class Resolver {
  private gatewayPhase: GatewayPhase | undefined;
  private readonly routes = new WeakMap<HTTPRoute, RouteMemo>();
  private kept: Kept | undefined;

  constructor(private readonly options: ResolveOptions) {}

  resolve(snapshot: StoreSnapshot): Resolution {
    const phase = this.resolveGateways(snapshot);
    let kept: Kept;
    try {
      kept = this.routeChange(snapshot, phase) ?? this.allRoutes(snapshot, phase);
    } catch (error) {
      // What is kept may be half updated: the next resolution starts afresh.
      this.kept = undefined;
      throw error;
    }
    this.kept = kept;
    const { classes, gateways } = phase;
    let statuses: readonly ObjectStatus[] | undefined;
    return {
      gateways: gateways.map((gateway) => kept.gateways.get(gateway)!.entry),
      // Built when first read: the status writer reads it after the change is applied, and the
      // apply should not wait for thousands of route statuses.
      get statuses() {
        statuses ??= [
          ...[...classes.values()].map((resolved) => resolved.status),
          ...gateways.map((gateway) => gatewayStatus(gateway, kept.gateways.get(gateway)!.byListener)),
          ...kept.attached.map(routeStatus),
        ];
        return statuses;
      },
    };
  }

  private resolveGateways(snapshot: StoreSnapshot): GatewayPhase {
    if (this.gatewayPhase && readsHold(this.gatewayPhase.reads, snapshot)) return this.gatewayPhase;
    const recording = recordReads(snapshot);
    const classes = acceptGatewayClasses(recording.snapshot, this.options);
    const gateways = resolveGateways(recording.snapshot, classes, this.options);
    this.gatewayPhase = { reads: recording.reads, classes, gateways, byName: gatewaysByName(gateways) };
    return this.gatewayPhase;
  }

  /** Every route attached (each from its memo when its reads hold), every Gateway's model built. */
  private allRoutes(snapshot: StoreSnapshot, phase: GatewayPhase): Kept {
    const routes = snapshot.list('HTTPRoute');
    const attached = routes.flatMap((route) => this.attach(snapshot, route, phase) ?? []);
    const byGateway = routesByGateway(attached);
    const none: RoutesByListener = new Map();
    const gateways = new Map(
      phase.gateways.map((gateway) => {
        const previous = this.kept?.gateways.get(gateway);
        return [gateway, gatewayRoutes(gateway, byGateway.get(gateway) ?? none, previous)] as const;
      }),
    );
    return { at: snapshot.version, phase, routes, attached, gateways };
  }

  /**
   * When only a few HTTPRoutes changed since the last resolution, and nothing else did, the
   * other routes are attached as they were (attaching reads the Gateways, Namespaces, Services,
   * EndpointSlices and ReferenceGrants, never another route), and only the changed ones enter
   * and leave the listeners and virtual hosts kept. Undefined when that does not apply.
   * Should attaching a route ever read other routes (conflicts between routes, say), a change to
   * one could change another's attachment, and this path must not be taken for it.
   */
  private routeChange(snapshot: StoreSnapshot, phase: GatewayPhase): Kept | undefined {
    const kept = this.kept;
    if (kept?.phase !== phase || !onlyRoutesChangedSince(kept.at, snapshot)) return undefined;
    const routes = snapshot.list('HTTPRoute');
    const changed = changedObjects(kept.routes, routes, MAX_ROUTE_CHANGES);
    if (!changed) return undefined;
    const left: AttachedRoute[] = [];
    for (const route of changed.left) {
      const memo = this.routes.get(route);
      if (memo?.gateways !== phase.gateways) return undefined;
      if (memo.attached) left.push(memo.attached);
    }
    const entered = changed.entered.flatMap((route) => this.attach(snapshot, route, phase) ?? []);
    const leaving = new Set(left);
    const attached = kept.attached.filter((route) => !leaving.has(route));
    for (const route of entered) insertInOrder(attached, route);
    const gateways = new Map(kept.gateways);
    for (const [gateway, placements] of placementChanges(left, entered))
      gateways.set(gateway, changedGatewayRoutes(gateway, kept.gateways.get(gateway)!, placements));
    return { at: snapshot.version, phase, routes, attached, gateways };
  }

  private attach(snapshot: StoreSnapshot, route: HTTPRoute, phase: GatewayPhase): AttachedRoute | undefined {
    const memo = this.routes.get(route);
    if (memo && memo.gateways === phase.gateways && readsHold(memo.reads, snapshot)) return memo.attached;
    const recording = recordReads(snapshot);
    const attached = attachHTTPRoute(recording.snapshot, route, phase.byName);
    this.routes.set(route, { gateways: phase.gateways, reads: recording.reads, attached });
    return attached;
  }
}

function onlyRoutesChangedSince(version: number, snapshot: StoreSnapshot): boolean {
  return (Object.keys(KINDS) as Kind[]).every(
    (kind) => kind === 'HTTPRoute' || snapshot.changedAt(kind) <= version,
  );
}

/** The placements of the routes that left and entered, by Gateway. */
function placementChanges(
  left: readonly AttachedRoute[],
  entered: readonly AttachedRoute[],
): Map<ResolvedGateway, PlacementChange[]> {
  const changes = new Map<ResolvedGateway, PlacementChange[]>();
  const note = (route: AttachedRoute, change: 'in' | 'out') => {
    for (const placement of placementsOf(route)) {
      const list = changes.get(placement.gateway) ?? [];
      changes.set(placement.gateway, list);
      list.push({ ...placement, change });
    }
  };
  for (const route of left) note(route, 'out');
  for (const route of entered) note(route, 'in');
  return changes;
}

/**
 * The objects that left and entered between two lists in store order, or undefined when more
 * than `max` did. Unchanged objects are the same objects, so most steps compare references.
 */
function changedObjects<T extends KubeObject>(
  before: readonly T[],
  after: readonly T[],
  max: number,
): { readonly left: readonly T[]; readonly entered: readonly T[] } | undefined {
  const left: T[] = [];
  const entered: T[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a === b) {
      i += 1;
      j += 1;
      continue;
    }
    const order = a === undefined ? 1 : b === undefined ? -1 : compareObjects(a, b);
    if (order <= 0) {
      left.push(a!);
      i += 1;
    }
    if (order >= 0) {
      entered.push(b!);
      j += 1;
    }
    if (left.length + entered.length > max) return undefined;
  }
  return { left, entered };
}

function insertInOrder(routes: AttachedRoute[], route: AttachedRoute): void {
  routes.splice(
    lowerBound(routes, (other) => compareObjects(other.route, route.route) < 0),
    0,
    route,
  );
}

type RoutesByListener = ReadonlyMap<string, readonly ListenerRoute[]>;

/** Where a route is accepted: one listener of one Gateway, with all its hostnames there. */
interface Placement {
  readonly gateway: ResolvedGateway;
  readonly listener: string;
  readonly entry: ListenerRoute;
}

type PlacementChange = Placement & { readonly change: 'in' | 'out' };

/**
 * Placements depend on the attached route alone, which is immutable: computed once per route
 * object, so that an unchanged route keeps the same ListenerRoute (virtual hosts compare them
 * by identity).
 */
const placementsOf = memoized((route: AttachedRoute): readonly Placement[] => {
  const hostnames = new Map<ResolvedGateway, Map<string, Set<string>>>();
  for (const { gateway, attachments } of route.parents) {
    const listeners = hostnames.get(gateway) ?? new Map<string, Set<string>>();
    hostnames.set(gateway, listeners);
    for (const { listener, hostnames: served } of attachments) {
      const set = listeners.get(listener.spec.name) ?? new Set<string>();
      for (const h of served) set.add(h);
      listeners.set(listener.spec.name, set);
    }
  }
  const placements: Placement[] = [];
  for (const [gateway, listeners] of hostnames) {
    for (const [listener, set] of listeners)
      placements.push({ gateway, listener, entry: { route, hostnames: [...set].sort() } });
  }
  return placements;
});

/**
 * For every Gateway, the routes accepted on each of its listeners, one entry per route with all
 * its hostnames there. One pass over the routes, whatever the number of Gateways.
 */
function routesByGateway(routes: readonly AttachedRoute[]): Map<ResolvedGateway, RoutesByListener> {
  const byGateway = new Map<ResolvedGateway, Map<string, ListenerRoute[]>>();
  for (const route of routes) {
    for (const { gateway, listener, entry } of placementsOf(route)) {
      const byListener = byGateway.get(gateway) ?? new Map<string, ListenerRoute[]>();
      byGateway.set(gateway, byListener);
      const list = byListener.get(listener) ?? [];
      list.push(entry);
      byListener.set(listener, list);
    }
  }
  return byGateway;
}

/** The listeners that are served: accepted, with their references resolved. */
function programmable(gateway: ResolvedGateway, byListener: RoutesByListener): ProgrammableListener[] {
  return gateway.listeners
    .filter((l) => l.accepted && l.resolved)
    .map((listener) => ({ listener, routes: byListener.get(listener.spec.name) ?? [] }));
}

/** A Gateway's model from scratch; `previous`, its last one, lends the virtual hosts that did not change. */
function gatewayRoutes(
  gateway: ResolvedGateway,
  byListener: RoutesByListener,
  previous: GatewayRoutes | undefined,
): GatewayRoutes {
  const served = gateway.dataPlane ? programmable(gateway, byListener) : [];
  const ports = buildPortHosts(served, previous?.ports);
  const upstreams = new UpstreamSet();
  for (const { routes } of served) for (const { route } of routes) upstreams.add(route.upstreams);
  return { byListener, ports, upstreams, entry: gatewayEntry(gateway, ports, upstreams) };
}

/** `previous` with routes entering and leaving its listeners. */
function changedGatewayRoutes(
  gateway: ResolvedGateway,
  previous: GatewayRoutes,
  placements: readonly PlacementChange[],
): GatewayRoutes {
  const byListener = changedListeners(previous.byListener, placements);
  if (!gateway.dataPlane) return { ...previous, byListener };
  const { upstreams } = previous;
  const ports = new Map(previous.ports);
  for (const [port, changes] of portChanges(gateway, placements)) {
    for (const { entry, change } of changes) {
      if (change === 'in') upstreams.add(entry.route.upstreams);
      else upstreams.remove(entry.route.upstreams);
    }
    const hosts = ports.get(port);
    if (hosts?.update(changes)) continue;
    const onPort = programmable(gateway, byListener).filter((l) => l.listener.spec.port === port);
    ports.set(port, new PortHosts(port, onPort, hosts));
  }
  return { byListener, ports, upstreams, entry: gatewayEntry(gateway, ports, upstreams) };
}

/** New lists for the listeners routes entered or left; the others are kept. */
function changedListeners(
  before: RoutesByListener,
  placements: readonly PlacementChange[],
): RoutesByListener {
  const lists = new Map<string, ListenerRoute[]>();
  for (const { listener, entry, change } of placements) {
    let list = lists.get(listener);
    if (!list) lists.set(listener, (list = [...(before.get(listener) ?? [])]));
    if (change === 'in') insertInRouteOrder(list, entry);
    else removeEntry(list, entry);
  }
  return new Map([...before, ...lists]);
}

/** The changes on served listeners, by port. */
function portChanges(
  gateway: ResolvedGateway,
  placements: readonly PlacementChange[],
): Map<number, RouteChange[]> {
  const listeners = new Map(gateway.listeners.map((l) => [l.spec.name, l]));
  const byPort = new Map<number, RouteChange[]>();
  for (const { listener: name, entry, change } of placements) {
    const listener = listeners.get(name)!;
    if (!listener.accepted || !listener.resolved) continue;
    const onPort = byPort.get(listener.spec.port) ?? [];
    byPort.set(listener.spec.port, onPort);
    onPort.push({ listener, entry, change });
  }
  return byPort;
}

/**
 * The upstreams a Gateway's served routes forward to, counted so that routes can enter and
 * leave. Upstreams of one name are equal: they are built from the same Service and slices.
 */
class UpstreamSet {
  private readonly counts = new Map<string, { upstream: Upstream; count: number }>();
  private list: readonly Upstream[] | undefined;

  add(upstreams: readonly Upstream[]): void {
    for (const upstream of upstreams) {
      const known = this.counts.get(upstream.name);
      if (known) known.count += 1;
      else {
        this.counts.set(upstream.name, { upstream, count: 1 });
        this.list = undefined;
      }
    }
  }

  remove(upstreams: readonly Upstream[]): void {
    for (const { name } of upstreams) {
      const known = this.counts.get(name);
      if (!known) continue;
      known.count -= 1;
      if (known.count > 0) continue;
      this.counts.delete(name);
      this.list = undefined;
    }
  }

  /** By name; the same array while no name came or went. */
  sorted(): readonly Upstream[] {
    this.list ??= [...this.counts.values()]
      .map(({ upstream }) => upstream)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.list;
  }
}

function gatewayEntry(
  gateway: ResolvedGateway,
  ports: ReadonlyMap<number, PortHosts>,
  upstreams: UpstreamSet,
): ResolvedGatewayEntry {
  const { metadata, spec } = gateway.gateway;
  const name = { namespace: metadata.namespace, name: metadata.name };
  const requestedAddresses = spec.addresses ?? [];
  if (!gateway.dataPlane) return { gateway: name, model: undefined, requestedAddresses };
  const certificates = new Map<string, Certificate>();
  for (const listener of gateway.listeners) {
    if (!listener.accepted || !listener.resolved) continue;
    for (const certificate of listener.certificates) certificates.set(certificate.id, certificate);
  }
  const model: GatewayModel = {
    gateway: name,
    driver: gateway.dataPlane.driver,
    settings: gateway.dataPlane.settings,
    ports: [...ports.values()].map((hosts) => hosts.model).sort((a, b) => a.port - b.port),
    upstreams: upstreams.sorted(),
    certificates: [...certificates.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  return { gateway: name, model, requestedAddresses };
}

function gatewayStatus(gateway: ResolvedGateway, byListener: RoutesByListener): ObjectStatus {
  const { apiVersion, metadata } = gateway.gateway;
  const generation = metadata.generation;
  const accepted = gateway.dataPlane !== undefined;
  return {
    apiVersion,
    kind: 'Gateway',
    metadata: { namespace: metadata.namespace, name: metadata.name, generation },
    status: {
      addresses: [],
      conditions: withGeneration(
        [gateway.accepted, accepted ? c.gatewayProgrammed() : c.gatewayNotProgrammedInvalid()],
        generation,
      ),
      listeners: gateway.listeners.map((listener) => ({
        name: listener.spec.name,
        supportedKinds: listener.supportedKinds,
        attachedRoutes: byListener.get(listener.spec.name)?.length ?? 0,
        conditions: withGeneration(
          [
            ...listener.conditions,
            !accepted
              ? c.listenerNotProgrammed('The Gateway is not accepted.')
              : listener.accepted && listener.resolved
                ? c.listenerProgrammed()
                : c.listenerNotProgrammed('The listener is not valid.'),
          ],
          generation,
        ),
      })),
    },
  };
}

/** A route's status depends on the attached route alone: once per route object. */
const routeStatus = memoized(buildRouteStatus);

function buildRouteStatus(route: AttachedRoute): ObjectStatus {
  const { apiVersion, metadata } = route.route;
  const generation = metadata.generation;
  const parents: RouteParentStatus[] = route.parents.map((parent) => ({
    parentRef: parent.parentRef,
    controllerName: parent.gateway.controllerName,
    conditions: withGeneration([parent.accepted, route.resolvedRefs], generation),
  }));
  return {
    apiVersion,
    kind: 'HTTPRoute',
    metadata: { namespace: metadata.namespace, name: metadata.name, generation },
    status: { parents },
  };
}
