/**
 * Manifests as plain objects, written as the upstream YAML would be, plus the few builders that
 * keep the test files readable. Every Gateway uses the suite's GatewayClass, as the upstream
 * Applier rewrites `gatewayClassName` (reference §2.1).
 */

export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: JsonValue | ObjectMeta | undefined;
}

export const GATEWAY_API = 'gateway.networking.k8s.io/v1';
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const GATEWAY_CLASS = 'gateway-conformance';
export const CONTROLLER_NAME = 'gateplane.io/gateway-controller';
export const INFRA = 'gateway-conformance-infra';
export const APP = 'gateway-conformance-app-backend';
export const WEB = 'gateway-conformance-web-backend';
/** Gateways upstream leaves out of `NamespacesMustBeReady` (reference §2.1). */
export const SKIP_READINESS = { 'gateway-api/skip-this-for-readiness': 'true' } as const;

type Spec = { readonly [key: string]: JsonValue };

export function gateway(
  name: string,
  listeners: readonly JsonValue[],
  options: { readonly skipReadiness?: boolean; readonly extraSpec?: Spec } = {},
): Manifest {
  return {
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: { name, namespace: INFRA, ...(options.skipReadiness ? { annotations: SKIP_READINESS } : {}) },
    spec: { gatewayClassName: GATEWAY_CLASS, listeners, ...options.extraSpec },
  };
}

export function httpRoute(name: string, spec: Spec, namespace: string = INFRA): Manifest {
  return { apiVersion: GATEWAY_API, kind: 'HTTPRoute', metadata: { name, namespace }, spec };
}

export function referenceGrant(name: string, namespace: string, spec: Spec): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name, namespace },
    spec,
  };
}

/** An HTTP listener; `from` is allowedRoutes.namespaces.from. */
export function httpListener(name: string, from: string, extra: Spec = {}): Spec {
  return { name, port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from } }, ...extra };
}

/** An HTTPS listener terminating TLS with the given certificateRefs. */
export function httpsListener(name: string, certificateRefs: readonly JsonValue[], extra: Spec = {}): Spec {
  return {
    name,
    port: 443,
    protocol: 'HTTPS',
    allowedRoutes: { namespaces: { from: 'All' } },
    tls: { certificateRefs },
    ...extra,
  };
}

export const secretRef = (name: string, namespace?: string): Spec => ({
  group: '',
  kind: 'Secret',
  name,
  ...(namespace ? { namespace } : {}),
});

/** A backendRef to a Service port (8080 unless told otherwise). */
export const backend = (name: string, extra: Spec = {}): Spec => ({ name, port: 8080, ...extra });
export const pathPrefix = (value: string): Spec => ({ path: { type: 'PathPrefix', value } });
export const exactPath = (value: string): Spec => ({ path: { type: 'Exact', value } });
export const headerMatch = (...pairs: readonly (readonly [string, string])[]): Spec => ({
  headers: pairs.map(([name, value]) => ({ name, value })),
});

/** The commonest route: parentRef `same-namespace`, rules as given. */
export const sameNamespaceRoute = (name: string, rules: readonly JsonValue[]): Manifest =>
  httpRoute(name, { parentRefs: [{ name: 'same-namespace' }], rules });

export const keyOf = (kind: string, namespace: string | undefined, name: string): string =>
  `${kind}/${namespace ?? ''}/${name}`;
export const manifestKey = (m: Manifest): string => keyOf(m.kind, m.metadata.namespace, m.metadata.name);
