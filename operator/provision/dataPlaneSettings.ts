/**
 * The parts of a DataPlaneConfig that shape the Kubernetes objects (image, replicas, Service,
 * resources). The model carries only what the driver renders, so these are read from the
 * snapshot here, with the resolver's precedence: the Gateway's `infrastructure.parametersRef`
 * over its class's `parametersRef`.
 */
import type { DataPlaneConfig } from '../api/kinds.js';
import { lookupDataPlaneConfig } from '../model/gatewayClass.js';
import type { GatewayModel, NamespacedName } from '../model/index.js';
import type { StoreSnapshot } from '../store/index.js';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ProxyPodSettings {
  readonly driver: GatewayModel['driver'];
  /** The proxy container's image; the agent always runs the gateplane image. */
  readonly proxyImage: string;
  readonly agentImage: string;
  /** Undefined: left to Kubernetes' default (1) and to whoever scales the Deployment. */
  readonly replicas: number | undefined;
  readonly serviceType: ServiceType;
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  readonly resources: Readonly<Record<string, unknown>>;
  readonly drainTimeoutSeconds: number;
}

/** The gateplane image holds Debian's nginx and HAProxy as well as gateplane itself. */
export const DEFAULT_IMAGE = 'ghcr.io/gateplane/gateplane:0.1.0';

export const DEFAULT_PROXY_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '1', memory: '512Mi' },
} as const;

/** The DataPlaneConfig that applies to `gateway`, if any; problems are the resolver's to report. */
export function dataPlaneConfigFor(
  snapshot: StoreSnapshot,
  gateway: NamespacedName,
): DataPlaneConfig | undefined {
  const object = snapshot.get('Gateway', gateway.namespace, gateway.name);
  if (!object) return undefined;
  const own = object.spec.infrastructure?.parametersRef;
  const classRef = snapshot.get('GatewayClass', '', object.spec.gatewayClassName)?.spec.parametersRef;
  const found = own
    ? lookupDataPlaneConfig(snapshot, own, gateway.namespace)
    : classRef
      ? lookupDataPlaneConfig(snapshot, classRef, classRef.namespace)
      : undefined;
  return found && 'config' in found ? found.config : undefined;
}

export function proxyPodSettings(
  model: GatewayModel,
  config: DataPlaneConfig | undefined,
  gateplaneImage: string,
): ProxyPodSettings {
  const defaults: ProxyPodSettings = {
    driver: model.driver,
    proxyImage: gateplaneImage,
    agentImage: gateplaneImage,
    replicas: undefined,
    serviceType: 'LoadBalancer',
    serviceAnnotations: {},
    resources: DEFAULT_PROXY_RESOURCES,
    drainTimeoutSeconds: model.settings.drainTimeoutSeconds,
  };
  if (!config) return defaults;
  const { image, replicas, service, resources } = config.spec;
  return {
    ...defaults,
    proxyImage: image ?? gateplaneImage,
    replicas,
    serviceType: service?.type ?? defaults.serviceType,
    serviceAnnotations: service?.annotations ?? {},
    resources: resources ?? DEFAULT_PROXY_RESOURCES,
  };
}
