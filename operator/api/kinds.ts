/**
 * The kinds gateplane reads, as typed objects, and the one function that turns untrusted input
 * (a YAML document, a watch event) into one of them. Everything past this edge is trusted.
 */
import { z } from 'zod';
import { configMapBody, endpointSliceBody, namespaceSpec, secretBody, serviceSpec } from './core.js';
import { dataPlaneConfigSpec, GATEPLANE_GROUP } from './dataPlaneConfig.js';
import { gatewayClassSpec, gatewaySpec, httpRouteSpec, referenceGrantSpec } from './gatewayApi.js';
import { objectMeta, type DeepReadonly, type ObjectMeta } from './meta.js';

type Spec<S extends z.ZodType> = DeepReadonly<z.output<S>>;

interface Base<K extends string> {
  readonly apiVersion: string;
  readonly kind: K;
  readonly metadata: ObjectMeta;
}

export interface GatewayClass extends Base<'GatewayClass'> {
  readonly spec: Spec<typeof gatewayClassSpec>;
}
export interface Gateway extends Base<'Gateway'> {
  readonly spec: Spec<typeof gatewaySpec>;
}
export interface HTTPRoute extends Base<'HTTPRoute'> {
  readonly spec: Spec<typeof httpRouteSpec>;
}
export interface ReferenceGrant extends Base<'ReferenceGrant'> {
  readonly spec: Spec<typeof referenceGrantSpec>;
}
export interface Namespace extends Base<'Namespace'> {
  readonly spec: Spec<typeof namespaceSpec>;
}
export interface Service extends Base<'Service'> {
  readonly spec: Spec<typeof serviceSpec>;
}
export interface EndpointSlice extends Base<'EndpointSlice'> {
  readonly spec: Spec<typeof endpointSliceBody>;
}
export interface Secret extends Base<'Secret'> {
  readonly spec: Spec<typeof secretBody>;
}
export interface ConfigMap extends Base<'ConfigMap'> {
  readonly spec: Spec<typeof configMapBody>;
}
export interface DataPlaneConfig extends Base<'DataPlaneConfig'> {
  readonly spec: Spec<typeof dataPlaneConfigSpec>;
}

/** Kinds that are read and kept, but not resolved yet: no status is written for them. */
export type PendingKind = 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute' | 'BackendTLSPolicy';
export interface PendingObject extends Base<PendingKind> {
  readonly spec: Readonly<Record<string, unknown>>;
}

export type KubeObject =
  | GatewayClass
  | Gateway
  | HTTPRoute
  | ReferenceGrant
  | Namespace
  | Service
  | EndpointSlice
  | Secret
  | ConfigMap
  | DataPlaneConfig
  | PendingObject;

export type Kind = KubeObject['kind'];
export type ObjectOfKind<K extends Kind> = Extract<KubeObject, { kind: K }>;

interface KindInfo {
  readonly groups: readonly string[];
  readonly namespaced: boolean;
  /** Where the kind keeps its body: `spec`, or the top level for EndpointSlice, Secret, ConfigMap. */
  readonly body: 'spec' | 'top';
  readonly schema: z.ZodType;
}

const GW = 'gateway.networking.k8s.io';
const loose = z.record(z.string(), z.unknown()).default({});

export const KINDS: { readonly [K in Kind]: KindInfo } = {
  GatewayClass: { groups: [GW], namespaced: false, body: 'spec', schema: gatewayClassSpec },
  Gateway: { groups: [GW], namespaced: true, body: 'spec', schema: gatewaySpec },
  HTTPRoute: { groups: [GW], namespaced: true, body: 'spec', schema: httpRouteSpec },
  GRPCRoute: { groups: [GW], namespaced: true, body: 'spec', schema: loose },
  TLSRoute: { groups: [GW], namespaced: true, body: 'spec', schema: loose },
  TCPRoute: { groups: [GW], namespaced: true, body: 'spec', schema: loose },
  UDPRoute: { groups: [GW], namespaced: true, body: 'spec', schema: loose },
  ReferenceGrant: { groups: [GW], namespaced: true, body: 'spec', schema: referenceGrantSpec },
  BackendTLSPolicy: { groups: [GW], namespaced: true, body: 'spec', schema: loose },
  Namespace: { groups: [''], namespaced: false, body: 'spec', schema: namespaceSpec },
  Service: { groups: [''], namespaced: true, body: 'spec', schema: serviceSpec },
  EndpointSlice: { groups: ['discovery.k8s.io'], namespaced: true, body: 'top', schema: endpointSliceBody },
  Secret: { groups: [''], namespaced: true, body: 'top', schema: secretBody },
  ConfigMap: { groups: [''], namespaced: true, body: 'top', schema: configMapBody },
  DataPlaneConfig: { groups: [GATEPLANE_GROUP], namespaced: true, body: 'spec', schema: dataPlaneConfigSpec },
};

export type ParseResult =
  | { readonly outcome: 'ok'; readonly object: KubeObject }
  | { readonly outcome: 'ignored'; readonly apiVersion: string; readonly kind: string }
  | { readonly outcome: 'invalid'; readonly reason: string };

const typeMeta = z.object({ apiVersion: z.string().min(1), kind: z.string().min(1) });

function isKind(kind: string): kind is Kind {
  return Object.hasOwn(KINDS, kind);
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Describe a zod failure as `field: message; field: message`, naming fields as users write them. */
export function describeIssues(error: z.ZodError, prefix: readonly (string | number)[] = []): string {
  return error.issues
    .slice(0, 5)
    .map(
      (issue) =>
        `${formatPath([...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))])}: ${issue.message}`,
    )
    .join('; ');
}

function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  );
}

/** Validate one decoded document. Never throws: the caller reports `invalid` with its origin. */
export function parseObject(raw: unknown): ParseResult {
  const type = typeMeta.safeParse(raw);
  if (!type.success) return { outcome: 'invalid', reason: describeIssues(type.error) };
  const { apiVersion, kind } = type.data;
  if (!isKind(kind) || !KINDS[kind].groups.includes(groupOf(apiVersion))) {
    return { outcome: 'ignored', apiVersion, kind };
  }
  const info = KINDS[kind];
  const record = raw as Record<string, unknown>;
  const meta = objectMeta.safeParse(record.metadata);
  if (!meta.success) return { outcome: 'invalid', reason: describeIssues(meta.error, ['metadata']) };
  const bodyInput = info.body === 'spec' ? (record.spec ?? {}) : record;
  const body = info.schema.safeParse(bodyInput);
  if (!body.success) {
    return { outcome: 'invalid', reason: describeIssues(body.error, info.body === 'spec' ? ['spec'] : []) };
  }
  const m = meta.data;
  if (info.namespaced === false && m.namespace !== undefined) {
    return { outcome: 'invalid', reason: `metadata.namespace: ${kind} is cluster-scoped` };
  }
  const metadata: ObjectMeta = {
    name: m.name,
    namespace: info.namespaced ? (m.namespace ?? 'default') : '',
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
    generation: m.generation ?? 1,
    creationTimestamp: m.creationTimestamp ?? '',
  };
  // The schema table above pairs each kind with its body schema, which TypeScript cannot follow
  // through the lookup: this is the one place the parsed body is trusted to match its kind.
  return { outcome: 'ok', object: { apiVersion, kind, metadata, spec: body.data } as KubeObject };
}
