/**
 * The status the resolver computes for every object gateplane owns, in the shape the Kubernetes
 * API stores it, minus what only the outside world knows: `lastTransitionTime` (stamped by
 * status/) and, for Gateways, addresses and whether the data plane really serves (merged in by
 * status/ from the deployer's report).
 */
import type { Condition } from './conditions.js';

export interface ResolvedCondition extends Condition {
  readonly observedGeneration: number;
}

export interface RouteGroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface ListenerStatus {
  readonly name: string;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly attachedRoutes: number;
  readonly conditions: readonly ResolvedCondition[];
}

export interface GatewayAddress {
  readonly type: 'IPAddress' | 'Hostname';
  readonly value: string;
}

export interface ParentReference {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export interface RouteParentStatus {
  readonly parentRef: ParentReference;
  readonly controllerName: string;
  readonly conditions: readonly ResolvedCondition[];
}

interface StatusOf<K extends string, S> {
  readonly apiVersion: string;
  readonly kind: K;
  readonly metadata: { readonly namespace: string; readonly name: string; readonly generation: number };
  readonly status: S;
}

export type ObjectStatus =
  | StatusOf<
      'GatewayClass',
      {
        readonly conditions: readonly ResolvedCondition[];
        readonly supportedFeatures?: readonly { readonly name: string }[];
      }
    >
  | StatusOf<
      'Gateway',
      {
        readonly addresses: readonly GatewayAddress[];
        readonly conditions: readonly ResolvedCondition[];
        readonly listeners: readonly ListenerStatus[];
      }
    >
  | StatusOf<'HTTPRoute', { readonly parents: readonly RouteParentStatus[] }>;

export function withGeneration(conditions: readonly Condition[], generation: number): ResolvedCondition[] {
  return conditions.map((condition) => ({ ...condition, observedGeneration: generation }));
}
