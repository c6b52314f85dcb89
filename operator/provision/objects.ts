/**
 * The objects a Gateway owns in its namespace, exactly as we apply them: only the fields we own,
 * so server-side apply leaves every other field (a user's annotation, an autoscaler's replicas)
 * alone. Pure: same input, same objects.
 *
 * Besides the ConfigMap, Secret, Deployment and Service of the design, the proxy pods get their
 * own ServiceAccount, bound in the Gateway's namespace to the agent's ClusterRole: the agent
 * reads its ConfigMap and Secret and annotates its pod, and nothing else (cluster/permissions.ts).
 */
import type { RenderedConfig } from '../../drivers/driver.js';
import { toBundle } from '../agent/bundle.js';
import { AGENT_CLUSTER_ROLE } from '../cluster/permissions.js';
import type { ProxyPodSettings } from './dataPlaneSettings.js';
import { desiredDeployment } from './deployment.js';
import { proxyLabels, proxyObjectNames, GATEWAY_LABEL, gatewayLabelValue } from './names.js';

export type KubeManifest = Readonly<Record<string, unknown>> & {
  readonly apiVersion: string;
  readonly kind: OwnedKind;
  readonly metadata: { readonly namespace: string; readonly name: string } & Record<string, unknown>;
};

export type OwnedKind = 'ServiceAccount' | 'RoleBinding' | 'ConfigMap' | 'Secret' | 'Deployment' | 'Service';

export interface GatewayIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface DesiredInput {
  readonly gateway: GatewayIdentity;
  readonly config: RenderedConfig;
  readonly settings: ProxyPodSettings;
  /** Distinct listener ports of the Gateway, with their transport protocol. */
  readonly ports: readonly { readonly port: number; readonly protocol: 'TCP' | 'UDP' }[];
}

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

type ServicePort = DesiredInput['ports'][number];

/** One Service port per distinct listener port and transport, sorted, so the Service is stable. */
export function servicePorts(
  listeners: readonly { readonly port: number; readonly protocol: string }[],
): ServicePort[] {
  const ports = new Map<string, ServicePort>();
  for (const { port, protocol } of listeners) {
    const transport = protocol === 'UDP' ? 'UDP' : 'TCP';
    ports.set(`${transport}/${port}`, { port, protocol: transport });
  }
  return [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** Deleting the Gateway deletes these (garbage collection follows the controller reference). */
function ownerReference(gateway: GatewayIdentity) {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'Gateway',
    name: gateway.name,
    uid: gateway.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * An empty map is left out rather than applied: the API server does not store empty maps, and
 * leaving a field out of an apply also removes what we set in it before.
 */
function nonEmpty(key: string, map: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.keys(map).length > 0 ? { [key]: map } : {};
}

/** In the order they are applied: the pods' identity and configuration before the pods. */
export function desiredObjects(input: DesiredInput): readonly KubeManifest[] {
  const { gateway, config, settings } = input;
  const names = proxyObjectNames(gateway.name);
  const labels = proxyLabels(gateway.name);
  const metadata = (name: string, extra: Record<string, unknown> = {}) => ({
    namespace: gateway.namespace,
    name,
    labels,
    ownerReferences: [ownerReference(gateway)],
    ...extra,
  });
  const bundle = toBundle(config);
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(names.serviceAccount) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(names.roleBinding),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace: gateway.namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(names.configMap),
      data: bundle.configMap.data,
      ...nonEmpty('binaryData', bundle.configMap.binaryData ?? {}),
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(names.secret),
      type: 'Opaque',
      ...nonEmpty('data', bundle.secret.data),
    },
    desiredDeployment({
      gateway: gateway.name,
      names,
      labels,
      metadata: metadata(names.deployment),
      settings,
    }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(names.service, nonEmpty('annotations', settings.serviceAnnotations)),
      spec: {
        type: settings.serviceType,
        selector: { [GATEWAY_LABEL]: gatewayLabelValue(gateway.name) },
        ports: input.ports.map(({ port, protocol }) => ({
          name: `${protocol === 'UDP' ? 'u' : 'p'}${port}`,
          protocol,
          port,
          targetPort: port,
        })),
      },
    },
  ];
}
