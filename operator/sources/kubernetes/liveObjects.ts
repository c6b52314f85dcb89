/**
 * What the API server holds for the objects gateplane may write status to: identity, version,
 * current status, and the spec fields that decide ownership. The status writer compares against
 * it and sends its resourceVersion as the precondition.
 *
 * Kept apart from the store on purpose: a status write changes `status` and `resourceVersion`,
 * and if the store held them every write would come back as a store change and a reconcile.
 */
import { z } from 'zod';
import type { Kind } from '../../api/kinds.js';

export const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'] as const;
export const STATUS_KINDS: readonly Kind[] = ['GatewayClass', 'Gateway', ...ROUTE_KINDS];

export interface LiveObject {
  readonly kind: Kind;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly generation: number;
  readonly status: Readonly<Record<string, unknown>>;
  /** GatewayClass `spec.controllerName`. */
  readonly controllerName?: string;
  /** Gateway `spec.gatewayClassName`. */
  readonly gatewayClassName?: string;
}

const liveShape = z.object({
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().optional(),
    uid: z.string().default(''),
    resourceVersion: z.string().min(1),
    generation: z.number().int().optional(),
  }),
  spec: z
    .object({ controllerName: z.string().optional(), gatewayClassName: z.string().optional() })
    .optional(),
  status: z.record(z.string(), z.unknown()).nullish(),
});

/** Parse what the API returned for an object of `kind`; undefined if it is not such an object. */
export function parseLiveObject(kind: Kind, raw: unknown): LiveObject | undefined {
  const parsed = liveShape.safeParse(raw);
  if (!parsed.success) return undefined;
  const { metadata, spec, status } = parsed.data;
  return {
    kind,
    namespace: metadata.namespace ?? '',
    name: metadata.name,
    uid: metadata.uid,
    resourceVersion: metadata.resourceVersion,
    generation: metadata.generation ?? 1,
    status: status ?? {},
    ...(kind === 'GatewayClass' && spec?.controllerName !== undefined
      ? { controllerName: spec.controllerName }
      : {}),
    ...(kind === 'Gateway' && spec?.gatewayClassName !== undefined
      ? { gatewayClassName: spec.gatewayClassName }
      : {}),
  };
}

const keyOf = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

export class LiveObjects {
  private readonly objects = new Map<string, LiveObject>();

  get(kind: Kind, namespace: string, name: string): LiveObject | undefined {
    return this.objects.get(keyOf(kind, namespace, name));
  }

  list(kind: Kind): LiveObject[] {
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }

  set(object: LiveObject): void {
    this.objects.set(keyOf(object.kind, object.namespace, object.name), object);
  }

  delete(kind: Kind, namespace: string, name: string): void {
    this.objects.delete(keyOf(kind, namespace, name));
  }
}
