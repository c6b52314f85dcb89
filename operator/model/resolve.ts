/**
 * The resolver: a pure function from a store snapshot to one model per Gateway we serve and the
 * status of every object we own. All Gateway API semantics live in this folder; this file only
 * reads like the recipe. No clock, I/O, logger or randomness here or below.
 *
 * A `Resolver` gives the same results as `resolve`, and reuses what the previous snapshot gave
 * where its inputs did not change (reads.ts): the Gateways and their listeners, each route's
 * attachment, each virtual host, each route's status. One changed route among thousands then
 * costs a lookup per other route, and the unchanged parts of the model keep their identity.
 */
import type { HTTPRoute } from '../api/kinds.js';
import type { StoreSnapshot } from '../store/index.js';
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
  buildHttpPorts,
  VirtualHostCache,
  type ListenerRoute,
  type ProgrammableListener,
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

export class Resolver {
  private gatewayPhase: GatewayPhase | undefined;
  private readonly routes = new WeakMap<HTTPRoute, RouteMemo>();
  private readonly hosts = new VirtualHostCache();

  constructor(private readonly options: ResolveOptions) {}

  resolve(snapshot: StoreSnapshot): Resolution {
    const { classes, gateways, byName } = this.resolveGateways(snapshot);
    const routes = snapshot
      .list('HTTPRoute')
      .flatMap((route) => this.attach(snapshot, route, gateways, byName) ?? []);
    const attached = routesByGateway(routes);
    const none: RoutesByListener = new Map();
    this.hosts.begin();
    let statuses: readonly ObjectStatus[] | undefined;
    return {
      gateways: gateways.map((gateway) => gatewayEntry(gateway, attached.get(gateway) ?? none, this.hosts)),
      // Built when first read: the status writer reads it after the change is applied, and the
      // apply should not wait for thousands of route statuses.
      get statuses() {
        statuses ??= [
          ...[...classes.values()].map((resolved) => resolved.status),
          ...gateways.map((gateway) => gatewayStatus(gateway, attached.get(gateway) ?? none)),
          ...routes.map(routeStatus),
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

  private attach(
    snapshot: StoreSnapshot,
    route: HTTPRoute,
    gateways: readonly ResolvedGateway[],
    byName: GatewaysByName,
  ): AttachedRoute | undefined {
    const memo = this.routes.get(route);
    if (memo && memo.gateways === gateways && readsHold(memo.reads, snapshot)) return memo.attached;
    const recording = recordReads(snapshot);
    const attached = attachHTTPRoute(recording.snapshot, route, byName);
    this.routes.set(route, { gateways, reads: recording.reads, attached });
    return attached;
  }
}

type RoutesByListener = ReadonlyMap<string, readonly ListenerRoute[]>;

/** Where a route is accepted: one listener of one Gateway, with all its hostnames there. */
interface Placement {
  readonly gateway: ResolvedGateway;
  readonly listener: string;
  readonly entry: ListenerRoute;
}

/**
 * Placements depend on the attached route alone, which is immutable: computed once per route
 * object, so that an unchanged route keeps the same ListenerRoute (the virtual host cache
 * compares them by identity).
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

function gatewayEntry(
  gateway: ResolvedGateway,
  byListener: RoutesByListener,
  hosts: VirtualHostCache,
): ResolvedGatewayEntry {
  const { metadata, spec } = gateway.gateway;
  const name = { namespace: metadata.namespace, name: metadata.name };
  const requestedAddresses = spec.addresses ?? [];
  if (!gateway.dataPlane) return { gateway: name, model: undefined, requestedAddresses };
  const programmable: ProgrammableListener[] = gateway.listeners
    .filter((l) => l.accepted && l.resolved)
    .map((listener) => ({ listener, routes: byListener.get(listener.spec.name) ?? [] }));
  const upstreams = new Map<string, Upstream>();
  for (const { routes: attached } of programmable) {
    for (const { route } of attached)
      for (const upstream of route.upstreams) upstreams.set(upstream.name, upstream);
  }
  const certificates = new Map<string, Certificate>();
  for (const { listener } of programmable)
    for (const certificate of listener.certificates) certificates.set(certificate.id, certificate);
  const model: GatewayModel = {
    gateway: name,
    driver: gateway.dataPlane.driver,
    settings: gateway.dataPlane.settings,
    ports: buildHttpPorts(programmable, hosts),
    upstreams: [...upstreams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
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
