/**
 * Gateways and their listeners: which Gateways are ours, which listeners are valid, what each
 * listener allows to attach. Route attachment (httpRoute.ts) builds on this; the conditions that
 * depend on attached routes or on the data plane are finished in resolve.ts and status/.
 */
import { GATEWAY_GROUP } from '../api/gatewayApi.js';
import type { Gateway } from '../api/kinds.js';
import type { StoreSnapshot } from '../store/index.js';
import * as c from './conditions.js';
import { dataPlaneFrom, lookupDataPlaneConfig, type DataPlane, type ResolvedClass } from './gatewayClass.js';
import { namespaceLabels, selectorMatches } from './namespaces.js';
import type { ResolveOptions } from './options.js';
import type { RouteGroupKind } from './status.js';
import { groupBy } from '../store/groupBy.js';
import { resolveCertificates } from './certificates.js';
import type { Certificate } from './types.js';

type ListenerSpec = Gateway['spec']['listeners'][number];

/** Route kinds each listener protocol can carry; protocols missing here are not supported yet. */
const KINDS_BY_PROTOCOL: Readonly<Record<string, readonly string[]>> = {
  HTTP: ['HTTPRoute'],
  HTTPS: ['HTTPRoute'],
};

export interface ResolvedListener {
  readonly spec: ListenerSpec;
  /** Accepted and not conflicted: routes may attach and, with resolved refs, it is served. */
  readonly accepted: boolean;
  /** References (certificates, route kinds) resolved: the listener can be programmed. */
  readonly resolved: boolean;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly conditions: readonly c.Condition[];
  /** HTTPS: the certificates it serves, all resolved (else `resolved` is false). */
  readonly certificates: readonly Certificate[];
  /**
   * Whether a route in `namespace` may attach, per `allowedRoutes.namespaces`. Namespace labels
   * are read from the `snapshot` given, the one the route is attached from: a listener can
   * outlive the snapshot it was resolved from (incremental.ts).
   */
  allowsNamespace(snapshot: StoreSnapshot, namespace: string): boolean;
}

export interface ResolvedGateway {
  readonly gateway: Gateway;
  readonly className: string;
  readonly controllerName: string;
  /** Undefined when the Gateway is not accepted. */
  readonly dataPlane: DataPlane | undefined;
  readonly listeners: readonly ResolvedListener[];
  /** The Accepted condition; Programmed is derived later. */
  readonly accepted: c.Condition;
}

export function resolveGateways(
  snapshot: StoreSnapshot,
  classes: ReadonlyMap<string, ResolvedClass>,
  options: ResolveOptions,
): ResolvedGateway[] {
  const resolved: ResolvedGateway[] = [];
  for (const gateway of snapshot.list('Gateway')) {
    const gatewayClass = classes.get(gateway.spec.gatewayClassName);
    if (!gatewayClass) continue;
    resolved.push(resolveGateway(snapshot, gateway, gatewayClass, options));
  }
  return resolved;
}

function resolveGateway(
  snapshot: StoreSnapshot,
  gateway: Gateway,
  gatewayClass: ResolvedClass,
  options: ResolveOptions,
): ResolvedGateway {
  const listeners = resolveListeners(snapshot, gateway);
  const base = {
    gateway,
    className: gatewayClass.name,
    controllerName: gatewayClass.controllerName,
    listeners,
  };
  if (!gatewayClass.dataPlane) {
    const problem = `GatewayClass ${gatewayClass.name} is not accepted.`;
    return { ...base, dataPlane: undefined, accepted: c.gatewayInvalidParameters(problem) };
  }
  let dataPlane: DataPlane = gatewayClass.dataPlane;
  const ref = gateway.spec.infrastructure?.parametersRef;
  if (ref) {
    const found = lookupDataPlaneConfig(snapshot, ref, gateway.metadata.namespace);
    if ('problem' in found)
      return { ...base, dataPlane: undefined, accepted: c.gatewayInvalidParameters(found.problem) };
    dataPlane = dataPlaneFrom(found.config, options.defaultDriver);
  }
  const invalid = listeners.filter((listener) => !listener.accepted).map((listener) => listener.spec.name);
  if (invalid.length === listeners.length)
    return { ...base, dataPlane: undefined, accepted: c.gatewayNoValidListeners() };
  const accepted = invalid.length > 0 ? c.gatewaySomeListenersInvalid(invalid) : c.gatewayAccepted();
  return { ...base, dataPlane, accepted };
}

function resolveListeners(snapshot: StoreSnapshot, gateway: Gateway): ResolvedListener[] {
  const conflicts = findConflicts(gateway.spec.listeners);
  return gateway.spec.listeners.map((spec) =>
    resolveListener(snapshot, gateway, spec, conflicts.get(spec.name)),
  );
}

function resolveListener(
  snapshot: StoreSnapshot,
  gateway: Gateway,
  spec: ListenerSpec,
  conflict: 'ProtocolConflict' | 'HostnameConflict' | undefined,
): ResolvedListener {
  const allowsNamespace = namespaceFilter(gateway, spec);
  const protocolKinds = KINDS_BY_PROTOCOL[spec.protocol];
  if (!protocolKinds) {
    const condition = c.listenerUnsupportedProtocol(spec.protocol, Object.keys(KINDS_BY_PROTOCOL));
    return {
      spec,
      accepted: false,
      resolved: false,
      supportedKinds: [],
      conditions: [condition, c.listenerNoConflicts(), c.listenerResolvedRefs()],
      certificates: [],
      allowsNamespace,
    };
  }
  if (spec.protocol === 'HTTPS' && spec.tls?.mode === 'Passthrough') {
    return {
      spec,
      accepted: false,
      resolved: false,
      supportedKinds: [],
      conditions: [
        c.listenerUnsupportedValue('tls.mode: Passthrough needs protocol TLS; HTTPS terminates TLS.'),
        c.listenerNoConflicts(),
        c.listenerResolvedRefs(),
      ],
      certificates: [],
      allowsNamespace,
    };
  }
  const requested = spec.allowedRoutes.kinds ?? protocolKinds.map((kind) => ({ group: GATEWAY_GROUP, kind }));
  const supportedKinds = requested.filter((k) => k.group === GATEWAY_GROUP && protocolKinds.includes(k.kind));
  const invalidKinds = requested
    .filter((k) => !supportedKinds.includes(k))
    .map((k) => `${k.group}/${k.kind}`);
  const tls =
    spec.protocol === 'HTTPS'
      ? resolveCertificates(snapshot, gateway, spec.tls?.certificateRefs ?? [])
      : { certificates: [] };
  const refs =
    'problem' in tls
      ? tls.problem
      : invalidKinds.length > 0
        ? c.listenerInvalidRouteKinds(invalidKinds)
        : c.listenerResolvedRefs();
  const accepted = conflict === undefined;
  const conditions = [
    accepted ? c.listenerAccepted() : c.listenerNotAcceptedConflict(conflict, spec.port),
    conflict === 'ProtocolConflict'
      ? c.listenerProtocolConflict(spec.port)
      : conflict === 'HostnameConflict'
        ? c.listenerHostnameConflict(spec.port)
        : c.listenerNoConflicts(),
    refs,
  ];
  return {
    spec,
    accepted,
    // Kinds the listener cannot carry are reported, but do not stop it serving the kinds it can;
    // an HTTPS listener without a usable certificate cannot serve at all.
    resolved: supportedKinds.length > 0 && !('problem' in tls),
    certificates: 'problem' in tls ? [] : tls.certificates,
    supportedKinds: supportedKinds.map(({ group, kind }) => ({ group, kind })),
    conditions,
    allowsNamespace,
  };
}

function namespaceFilter(
  gateway: Gateway,
  spec: ListenerSpec,
): (snapshot: StoreSnapshot, namespace: string) => boolean {
  const { from, selector } = spec.allowedRoutes.namespaces;
  switch (from) {
    case 'All':
      return () => true;
    case 'Same':
      return (_, namespace) => namespace === gateway.metadata.namespace;
    case 'Selector':
      return (snapshot, namespace) =>
        selector !== undefined && selectorMatches(selector, namespaceLabels(snapshot, namespace));
  }
}

/** Transport a protocol occupies a port with: listeners on different transports never conflict. */
const transportOf = (protocol: string): string => (protocol === 'UDP' ? 'udp' : 'tcp');

/**
 * Listeners sharing a port must use the same protocol, and listeners with the same protocol on
 * a port must have distinct hostnames. Every listener involved in a clash is marked.
 */
function findConflicts(
  listeners: readonly ListenerSpec[],
): Map<string, 'ProtocolConflict' | 'HostnameConflict'> {
  const conflicts = new Map<string, 'ProtocolConflict' | 'HostnameConflict'>();
  const byPort = groupBy(listeners, (l) => `${transportOf(l.protocol)}/${l.port}`);
  for (const group of byPort.values()) {
    if (new Set(group.map((l) => l.protocol)).size > 1) {
      for (const l of group) conflicts.set(l.name, 'ProtocolConflict');
      continue;
    }
    const byHost = groupBy(group, (l) => l.hostname ?? '');
    for (const same of byHost.values()) {
      if (same.length > 1) for (const l of same) conflicts.set(l.name, 'HostnameConflict');
    }
  }
  return conflicts;
}
