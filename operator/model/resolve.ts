/**
 * The resolver: a pure function from a store snapshot to one model per Gateway we serve and the
 * status of every object we own. All Gateway API semantics live in this folder; this file only
 * reads like the recipe. No clock, I/O, logger or randomness here or below.
 */
import type { StoreSnapshot } from '../store/index.js';
import * as c from './conditions.js';
import { acceptGatewayClasses } from './gatewayClass.js';
import { resolveGateways, type ResolvedGateway } from './gateway.js';
import { attachHTTPRoutes, type AttachedRoute } from './httpRoute.js';
import type { ResolveOptions } from './options.js';
import { withGeneration, type ObjectStatus, type RouteParentStatus } from './status.js';
import type { Certificate, GatewayModel, NamespacedName, Upstream } from './types.js';
import { buildHttpPorts, type ListenerRoute, type ProgrammableListener } from './virtualHosts.js';

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
  const classes = acceptGatewayClasses(snapshot, options);
  const gateways = resolveGateways(snapshot, classes, options);
  const routes = attachHTTPRoutes(snapshot, gateways);
  const attached = routesByGateway(routes);
  const none: RoutesByListener = new Map();
  return {
    gateways: gateways.map((gateway) => gatewayEntry(gateway, attached.get(gateway) ?? none)),
    statuses: [
      ...[...classes.values()].map((resolved) => resolved.status),
      ...gateways.map((gateway) => gatewayStatus(gateway, attached.get(gateway) ?? none)),
      ...routes.map(routeStatus),
    ],
  };
}

type RoutesByListener = ReadonlyMap<string, readonly ListenerRoute[]>;

/**
 * For every Gateway, the routes accepted on each of its listeners, one entry per route with all
 * its hostnames there. One pass over the routes, whatever the number of Gateways.
 */
function routesByGateway(routes: readonly AttachedRoute[]): Map<ResolvedGateway, RoutesByListener> {
  const byGateway = new Map<ResolvedGateway, Map<string, ListenerRoute[]>>();
  for (const route of routes) {
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
    for (const [gateway, listeners] of hostnames) {
      const byListener = byGateway.get(gateway) ?? new Map<string, ListenerRoute[]>();
      byGateway.set(gateway, byListener);
      for (const [listener, set] of listeners) {
        const list = byListener.get(listener) ?? [];
        list.push({ route, hostnames: [...set].sort() });
        byListener.set(listener, list);
      }
    }
  }
  return byGateway;
}

function gatewayEntry(gateway: ResolvedGateway, byListener: RoutesByListener): ResolvedGatewayEntry {
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
    ports: buildHttpPorts(programmable),
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

function routeStatus(route: AttachedRoute): ObjectStatus {
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
