/**
 * The names, labels and annotations of the objects each Gateway gets in a cluster. What the agent
 * must find on its own (the ConfigMap and Secret names, the applied-hash annotation) comes from
 * its bundle.ts, so the two sides cannot drift apart.
 */
import { createHash } from 'node:crypto';
import { certificatesSecretName, configMapName } from '../agent/bundle.js';

export { APPLIED_HASH_ANNOTATION } from '../agent/bundle.js';

/** Field manager of every write: server-side apply and status. */
export const FIELD_MANAGER = 'gateplane';

/** On every object we create and on the proxy pods: which Gateway (see gatewayLabelValue). */
export const GATEWAY_LABEL = 'gateplane.io/gateway';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'gateplane';
export const NAME_LABEL = 'app.kubernetes.io/name';
export const PROXY_APP_NAME = 'gateplane-proxy';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** Selects everything we create, pods included (the pod template carries the same labels). */
export const OWNED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY},${GATEWAY_LABEL}`;

/** Where the agent's files live in the pod; the render target of the cluster. */
export const RUNTIME_DIR = '/var/run/gateplane';
export const CLUSTER_TARGET = { bindAddress: '0.0.0.0', runtimeDir: RUNTIME_DIR } as const;

export interface ProxyObjectNames {
  readonly configMap: string;
  readonly secret: string;
  readonly deployment: string;
  readonly service: string;
  /** The proxy pods' identity, and its binding to the agent's ClusterRole. */
  readonly serviceAccount: string;
  readonly roleBinding: string;
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** A Service name is a DNS label: at most 63 characters. */
const MAX_BASE = 63;

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 10);

/**
 * `gateplane-<gateway>`, and the agent's `gateplane-<gateway>-config` / `-certs` (bundle.ts names
 * those: the agent finds them from the Gateway's name alone). A Gateway name may hold dots or run
 * to 253 characters, but a Service name must be a DNS label of at most 63: such names get a
 * shortened, sanitized base with a hash of the full name, so two Gateways never collide.
 */
export function proxyObjectNames(gateway: string): ProxyObjectNames {
  let base = `gateplane-${gateway}`;
  if (!(base.length <= MAX_BASE && DNS_LABEL.test(base))) {
    const readable = gateway
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 30)
      .replace(/-+$/, '');
    base = `gateplane-${readable}-${shortHash(gateway)}`.replace(/--+/g, '-');
  }
  return {
    configMap: configMapName(gateway),
    secret: certificatesSecretName(gateway),
    deployment: base,
    service: base,
    serviceAccount: base,
    roleBinding: base,
  };
}

/** Label values are limited to 63 characters; longer Gateway names are shortened with a hash. */
export function gatewayLabelValue(gateway: string): string {
  if (gateway.length <= 63) return gateway;
  return `${gateway.slice(0, 52).replace(/[-.]+$/, '')}-${shortHash(gateway)}`;
}

export function proxyLabels(gateway: string): Record<string, string> {
  const value = gatewayLabelValue(gateway);
  return {
    [NAME_LABEL]: PROXY_APP_NAME,
    [INSTANCE_LABEL]: value,
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [GATEWAY_LABEL]: value,
  };
}
