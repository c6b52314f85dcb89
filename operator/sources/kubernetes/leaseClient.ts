/**
 * The leader elector's Lease client over client-node's CoordinationV1Api.
 *
 * Two client-node 1.4.0 details shape it: Lease times are `metav1.MicroTime`, which the API
 * server parses only with exactly six fractional digits, so they are sent as V1MicroTime (a
 * plain Date would serialize with three and be refused); and the typed response declares those
 * fields as V1MicroTime but hands back the raw strings, so they are parsed here.
 */
import {
  ApiException,
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import { z } from 'zod';
import {
  LeaseConflictError,
  type LeaseClient,
  type LeaseRecord,
  type LeaseSpec,
} from '../../reconcile/index.js';

export interface LeaseLocation {
  readonly namespace: string;
  readonly name: string;
}

const time = z
  .union([z.string(), z.date()])
  .nullish()
  .transform((value): Date | undefined =>
    value === null || value === undefined ? undefined : new Date(value.valueOf()),
  );

const leaseShape = z.object({
  metadata: z.object({ resourceVersion: z.string().min(1) }),
  spec: z
    .object({
      holderIdentity: z.string().nullish(),
      leaseDurationSeconds: z.number().int().nullish(),
      acquireTime: time,
      renewTime: time,
      leaseTransitions: z.number().int().nullish(),
    })
    .prefault({}),
});

function toRecord(lease: V1Lease, where: string): LeaseRecord {
  const parsed = leaseShape.safeParse(lease);
  if (!parsed.success) throw new Error(`${where}: the API server returned a malformed Lease`);
  const { metadata, spec } = parsed.data;
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    ...(spec.acquireTime ? { acquireTime: spec.acquireTime } : {}),
    ...(spec.renewTime ? { renewTime: spec.renewTime } : {}),
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: metadata.resourceVersion,
  };
}

function toSpec(spec: LeaseSpec): V1Lease['spec'] {
  return {
    holderIdentity: spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    leaseTransitions: spec.leaseTransitions,
    ...(spec.acquireTime ? { acquireTime: new V1MicroTime(spec.acquireTime.getTime()) } : {}),
    ...(spec.renewTime ? { renewTime: new V1MicroTime(spec.renewTime.getTime()) } : {}),
  };
}

async function call<T>(where: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof ApiException && error.code === 409)
      throw new LeaseConflictError(`${where}: conflict`);
    throw new Error(where, { cause: error });
  }
}

export function clientNodeLeaseClient(kc: KubeConfig, location: LeaseLocation): LeaseClient {
  const api = kc.makeApiClient(CoordinationV1Api);
  const { namespace, name } = location;
  const where = (verb: string): string => `${verb} Lease ${namespace}/${name}`;
  return {
    async get() {
      try {
        return toRecord(await api.readNamespacedLease({ namespace, name }), where('read'));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw new Error(where('read'), { cause: error });
      }
    },
    async create(spec) {
      const body: V1Lease = { metadata: { name, namespace }, spec: toSpec(spec) };
      return toRecord(
        await call(where('create'), () => api.createNamespacedLease({ namespace, body })),
        where('create'),
      );
    },
    async update(spec, resourceVersion) {
      const body: V1Lease = { metadata: { name, namespace, resourceVersion }, spec: toSpec(spec) };
      const replaced = await call(where('update'), () =>
        api.replaceNamespacedLease({ namespace, name, body }),
      );
      return toRecord(replaced, where('update'));
    },
  };
}
