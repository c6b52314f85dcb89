/**
 * Object metadata and the validation patterns Kubernetes applies to names. Parsed once, at the
 * edge (sources/); past the edge the types are trusted.
 */
import { z } from 'zod';

/** RFC 1123 subdomain: what Kubernetes accepts as most object names. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label: namespaces, port names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(DNS_SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain');
export const namespaceName = z.string().min(1).max(63).regex(DNS_LABEL, 'must be a lowercase RFC 1123 label');

const stringMap = z.record(z.string(), z.string());

export const objectMeta = z.object({
  name: objectName,
  namespace: namespaceName.optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  generation: z.number().int().positive().optional(),
  creationTimestamp: z.string().optional(),
});

export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Starts at 1, bumped by the store whenever `spec` changes. */
  readonly generation: number;
  /** RFC 3339; when the store first saw the object, unless the input gave one. */
  readonly creationTimestamp: string;
}
