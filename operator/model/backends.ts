/**
 * Backend resolution: a backendRef becomes an Upstream (a Service port and its ready endpoints)
 * or a reason it cannot, with the reason the spec gives for ResolvedRefs=False.
 */
import { GATEWAY_GROUP } from '../api/gatewayApi.js';
import type { HTTPRoute, Service } from '../api/kinds.js';
import type { StoreSnapshot } from '../store/index.js';
import type { BackendRefReason } from './conditions.js';
import { upstreamName } from './names.js';
import { referencePermitted } from './referenceGrant.js';
import type { Endpoint, Upstream } from './types.js';

type BackendRef = NonNullable<HTTPRoute['spec']['rules'][number]['backendRefs']>[number];

export type ResolvedBackend =
  | { readonly ok: true; readonly upstream: Upstream }
  | { readonly ok: false; readonly reason: BackendRefReason; readonly message: string };

/** appProtocol values served as plain HTTP/1.1; others need features not built yet. */
const HTTP_APP_PROTOCOLS = new Set([undefined, 'http', 'kubernetes.io/http']);

export function resolveBackendRef(
  snapshot: StoreSnapshot,
  route: HTTPRoute,
  ref: BackendRef,
): ResolvedBackend {
  const namespace = ref.namespace ?? route.metadata.namespace;
  const display = `${ref.group || 'core'}/${ref.kind} ${namespace}/${ref.name}`;
  if (ref.group !== '' || ref.kind !== 'Service') {
    return {
      ok: false,
      reason: 'InvalidKind',
      message: `${display}: only core Services are supported as backends.`,
    };
  }
  const from = { group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: route.metadata.namespace };
  if (!referencePermitted(snapshot, from, { group: '', kind: 'Service', namespace, name: ref.name })) {
    return {
      ok: false,
      reason: 'RefNotPermitted',
      message: `no ReferenceGrant in ${namespace} allows a reference to Service ${ref.name}.`,
    };
  }
  const service = snapshot.get('Service', namespace, ref.name);
  if (!service)
    return {
      ok: false,
      reason: 'BackendNotFound',
      message: `Service ${namespace}/${ref.name} does not exist.`,
    };
  if (service.spec.type === 'ExternalName') {
    return {
      ok: false,
      reason: 'BackendNotFound',
      message: `Service ${namespace}/${ref.name} is an ExternalName Service, which is not supported yet.`,
    };
  }
  // The schema requires a port for Service references.
  const port = service.spec.ports.find((p) => p.port === ref.port && p.protocol === 'TCP');
  if (!port) {
    return {
      ok: false,
      reason: 'BackendNotFound',
      message: `Service ${namespace}/${ref.name} has no TCP port ${ref.port}.`,
    };
  }
  if (!HTTP_APP_PROTOCOLS.has(port.appProtocol)) {
    return {
      ok: false,
      reason: 'UnsupportedProtocol',
      message: `appProtocol ${port.appProtocol} of Service ${namespace}/${ref.name} port ${port.port} is not supported yet.`,
    };
  }
  const name = { namespace, name: ref.name };
  return {
    ok: true,
    upstream: {
      name: upstreamName(name, port.port),
      service: name,
      port: port.port,
      endpoints: endpointsOf(snapshot, service, port.name),
    },
  };
}

/**
 * Ready endpoints of a Service port, from its EndpointSlices: the slice port with the same name
 * as the Service port gives the target port. An endpoint whose `ready` is unset counts as ready,
 * as in Kubernetes. Sorted and deduplicated, so equal inputs give an equal model.
 */
function endpointsOf(snapshot: StoreSnapshot, service: Service, portName: string | undefined): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const slice of snapshot.endpointSlicesFor(service.metadata.namespace, service.metadata.name)) {
    const family = slice.spec.addressType;
    if (family === 'FQDN') continue;
    const slicePort = slice.spec.ports.find(
      (p) => (p.name ?? '') === (portName ?? '') && p.protocol === 'TCP',
    );
    if (slicePort?.port === undefined) continue;
    for (const endpoint of slice.spec.endpoints) {
      if (endpoint.conditions.ready === false) continue;
      for (const address of endpoint.addresses) {
        seen.set(`${address}|${slicePort.port}`, { family, address, port: slicePort.port });
      }
    }
  }
  return [...seen.values()].sort(
    (a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0) || a.port - b.port,
  );
}
