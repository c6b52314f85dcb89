/**
 * The API resources the fake server serves, with the per-resource behaviour a real API server
 * takes from the type's registry strategy: whether it has a `/status` subresource, whether
 * `metadata.generation` is tracked, and whether it is a custom resource (CRDs behave differently:
 * list items keep apiVersion/kind, updates need a resourceVersion, no strategic merge patch).
 */
export interface FakeResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly statusSubresource: boolean;
  /** The registry bumps `metadata.generation` on changes outside metadata and status. */
  readonly generation: boolean;
  /** Served from a CustomResourceDefinition rather than built into the API server. */
  readonly custom: boolean;
  /** Decoding checks the real server makes; returns a problem to answer 400 with. */
  readonly validate?: (object: Readonly<Record<string, unknown>>) => string | undefined;
}

/** `metav1.MicroTime` parses only RFC 3339 with exactly six fractional digits. */
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

function validateLease(object: Readonly<Record<string, unknown>>): string | undefined {
  const spec = object.spec;
  if (typeof spec !== 'object' || spec === null) return undefined;
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const value = (spec as Record<string, unknown>)[field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || !MICRO_TIME.test(value))) {
      return `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse spec.${field}`;
    }
  }
  return undefined;
}

export function apiVersionOf(resource: Pick<FakeResource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** `gateways.gateway.networking.k8s.io`, `services`: how error messages name a resource. */
export function qualifiedName(resource: FakeResource): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

export function resourceId(resource: Pick<FakeResource, 'group' | 'version' | 'plural'>): string {
  return `${resource.group}/${resource.version}/${resource.plural}`;
}

type Entry = [group: string, version: string, plural: string, kind: string, namespaced: boolean];

function builtIn(entries: readonly Entry[], traits: Partial<FakeResource>): FakeResource[] {
  return entries.map(([group, version, plural, kind, namespaced]) => ({
    group,
    version,
    plural,
    kind,
    namespaced,
    statusSubresource: false,
    generation: false,
    custom: false,
    ...traits,
  }));
}

const GW = 'gateway.networking.k8s.io';

export const DEFAULT_RESOURCES: readonly FakeResource[] = [
  ...builtIn(
    [
      ['', 'v1', 'namespaces', 'Namespace', false],
      ['', 'v1', 'services', 'Service', true],
      ['', 'v1', 'pods', 'Pod', true],
    ],
    { statusSubresource: true },
  ),
  ...builtIn(
    [
      ['', 'v1', 'secrets', 'Secret', true],
      ['', 'v1', 'configmaps', 'ConfigMap', true],
      ['discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true],
    ],
    {},
  ),
  ...builtIn([['coordination.k8s.io', 'v1', 'leases', 'Lease', true]], { validate: validateLease }),
  ...builtIn([['apps', 'v1', 'deployments', 'Deployment', true]], {
    statusSubresource: true,
    generation: true,
  }),
  ...builtIn(
    [
      [GW, 'v1', 'gatewayclasses', 'GatewayClass', false],
      [GW, 'v1', 'gateways', 'Gateway', true],
      [GW, 'v1', 'httproutes', 'HTTPRoute', true],
      [GW, 'v1', 'grpcroutes', 'GRPCRoute', true],
      [GW, 'v1', 'backendtlspolicies', 'BackendTLSPolicy', true],
      [GW, 'v1alpha2', 'tcproutes', 'TCPRoute', true],
      [GW, 'v1alpha2', 'udproutes', 'UDPRoute', true],
      [GW, 'v1alpha2', 'tlsroutes', 'TLSRoute', true],
      ['gateplane.io', 'v1alpha1', 'dataplaneconfigs', 'DataPlaneConfig', true],
    ],
    { statusSubresource: true, generation: true, custom: true },
  ),
  // ReferenceGrant is the one Gateway API kind without a status.
  ...builtIn([[GW, 'v1beta1', 'referencegrants', 'ReferenceGrant', true]], {
    generation: true,
    custom: true,
  }),
];
