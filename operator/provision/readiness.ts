/**
 * Whether a Gateway's data plane serves what we published, from what the cluster shows: the
 * proxy pods (ready, and carrying the hash the agent confirmed) and the Service's addresses.
 * A Gateway is programmed only when it has a ready pod and every ready pod runs the published
 * hash: during a rollout or a reload, old and new configurations both serve.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { GatewayAddress } from '../model/index.js';
import { APPLIED_HASH_ANNOTATION, GATEWAY_LABEL, gatewayLabelValue, proxyObjectNames } from './names.js';
import type { OwnedObjects, WatchedObject } from './ownedObjects.js';

export interface ProxyReadiness {
  readonly addresses: readonly GatewayAddress[];
  readonly state:
    | { readonly kind: 'programmed' }
    | { readonly kind: 'pending'; readonly message: string }
    | { readonly kind: 'noAddress'; readonly message: string };
}

const podShape = z.object({
  status: z
    .object({
      conditions: z
        .array(z.object({ type: z.string(), status: z.string() }))
        .nullish()
        .transform((v) => v ?? []),
    })
    .prefault({}),
});

const serviceShape = z.object({
  spec: z
    .object({
      type: z.string().default('ClusterIP'),
      clusterIP: z.string().nullish(),
      clusterIPs: z.array(z.string()).nullish(),
    })
    .prefault({}),
  status: z
    .object({
      loadBalancer: z
        .object({
          ingress: z
            .array(z.object({ ip: z.string().nullish(), hostname: z.string().nullish() }))
            .nullish()
            .transform((v) => v ?? []),
        })
        .prefault({}),
    })
    .prefault({}),
});

function isReady(pod: WatchedObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const parsed = podShape.safeParse(pod.raw);
  return (
    parsed.success && parsed.data.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/**
 * LoadBalancer: the load balancer's ingress points. ClusterIP and NodePort: the cluster IPs, the
 * only addresses such a Service has that every client in the cluster can use.
 */
export function serviceAddresses(service: WatchedObject | undefined): GatewayAddress[] {
  if (!service) return [];
  const parsed = serviceShape.safeParse(service.raw);
  if (!parsed.success) return [];
  const { spec, status } = parsed.data;
  const addresses: GatewayAddress[] = [];
  if (spec.type === 'LoadBalancer') {
    for (const ingress of status.loadBalancer.ingress) {
      if (ingress.ip) addresses.push({ type: 'IPAddress', value: ingress.ip });
      else if (ingress.hostname) addresses.push({ type: 'Hostname', value: ingress.hostname });
    }
  } else {
    const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
    for (const ip of ips) if (isIP(ip)) addresses.push({ type: 'IPAddress', value: ip });
  }
  return addresses;
}

export interface ReadinessInput {
  readonly gateway: { readonly namespace: string; readonly name: string };
  /** The configuration hash in the Gateway's ConfigMap. */
  readonly publishedHash: string;
}

export function proxyReadiness(owned: OwnedObjects, input: ReadinessInput): ProxyReadiness {
  const { namespace, name } = input.gateway;
  const service = owned.get('Service', namespace, proxyObjectNames(name).service);
  const addresses = serviceAddresses(service);
  const label = gatewayLabelValue(name);
  const ready = owned
    .list('Pod', namespace)
    .filter((pod) => pod.metadata.labels[GATEWAY_LABEL] === label)
    .filter(isReady);
  if (ready.length === 0) {
    return { addresses, state: { kind: 'pending', message: 'Waiting for a proxy pod to become ready.' } };
  }
  const behind = ready.filter(
    (pod) => pod.metadata.annotations[APPLIED_HASH_ANNOTATION] !== input.publishedHash,
  );
  if (behind.length > 0) {
    const message = `${behind.length} of ${ready.length} ready proxy pods do not serve the current configuration yet.`;
    return { addresses, state: { kind: 'pending', message } };
  }
  if (addresses.length === 0) {
    const message = 'Waiting for the Service to be assigned an address.';
    return { addresses, state: { kind: 'noAddress', message } };
  }
  return { addresses, state: { kind: 'programmed' } };
}
