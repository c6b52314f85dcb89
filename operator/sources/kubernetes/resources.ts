/**
 * Where each kind gateplane reads is served: group, version and resource name. The versions are
 * the ones the Gateway API standard and experimental channels install; the table is typed over
 * every Kind, so a kind added to api/kinds.ts cannot be forgotten here.
 */
import { KINDS, type Kind } from '../../api/kinds.js';

export interface ApiResource {
  readonly kind: Kind;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const SERVED: { readonly [K in Kind]: { readonly version: string; readonly plural: string } } = {
  GatewayClass: { version: 'v1', plural: 'gatewayclasses' },
  Gateway: { version: 'v1', plural: 'gateways' },
  HTTPRoute: { version: 'v1', plural: 'httproutes' },
  GRPCRoute: { version: 'v1', plural: 'grpcroutes' },
  TLSRoute: { version: 'v1alpha2', plural: 'tlsroutes' },
  TCPRoute: { version: 'v1alpha2', plural: 'tcproutes' },
  UDPRoute: { version: 'v1alpha2', plural: 'udproutes' },
  ReferenceGrant: { version: 'v1beta1', plural: 'referencegrants' },
  BackendTLSPolicy: { version: 'v1', plural: 'backendtlspolicies' },
  Namespace: { version: 'v1', plural: 'namespaces' },
  Service: { version: 'v1', plural: 'services' },
  EndpointSlice: { version: 'v1', plural: 'endpointslices' },
  Secret: { version: 'v1', plural: 'secrets' },
  ConfigMap: { version: 'v1', plural: 'configmaps' },
  DataPlaneConfig: { version: 'v1alpha1', plural: 'dataplaneconfigs' },
};

export const API_RESOURCES: readonly ApiResource[] = (Object.keys(SERVED) as Kind[]).map((kind) => ({
  kind,
  group: KINDS[kind].groups[0] ?? '',
  namespaced: KINDS[kind].namespaced,
  ...SERVED[kind],
}));

export function apiResource(kind: Kind): ApiResource {
  const found = API_RESOURCES.find((r) => r.kind === kind);
  if (!found) throw new Error(`no API resource is known for kind ${kind}`);
  return found;
}

export function apiVersionOf(resource: ApiResource): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** The collection path: cluster-wide (all namespaces) when `namespace` is undefined. */
export function collectionPath(resource: ApiResource, namespace?: string): string {
  const base = resource.group === '' ? '/api/v1' : `/apis/${resource.group}/${resource.version}`;
  const scope =
    resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${resource.plural}`;
}
