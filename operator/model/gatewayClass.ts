/**
 * GatewayClass acceptance: which classes are ours, whether their parameters resolve, and which
 * driver and settings their Gateways get.
 */
import type { DataPlaneConfig, GatewayClass } from '../api/kinds.js';
import { durationSeconds, GATEPLANE_GROUP } from '../api/dataPlaneConfig.js';
import type { StoreSnapshot } from '../store/index.js';
import { classAccepted, classInvalidParameters, type Condition } from './conditions.js';
import type { ResolveOptions } from './options.js';
import { withGeneration, type ObjectStatus } from './status.js';
import type { DriverName, ProxySettings } from './types.js';

export interface DataPlane {
  readonly driver: DriverName;
  readonly settings: ProxySettings;
}

export interface ResolvedClass {
  readonly name: string;
  readonly controllerName: string;
  /** Undefined when the class is not accepted: its Gateways are left unprogrammed. */
  readonly dataPlane: DataPlane | undefined;
  readonly status: ObjectStatus;
}

const DEFAULT_DRAIN_SECONDS = 30;

export function dataPlaneFrom(config: DataPlaneConfig | undefined, defaultDriver: DriverName): DataPlane {
  if (!config) return { driver: defaultDriver, settings: { drainTimeoutSeconds: DEFAULT_DRAIN_SECONDS } };
  const { driver, drainTimeout, workerProcesses } = config.spec;
  return {
    driver,
    settings: { drainTimeoutSeconds: durationSeconds(drainTimeout), workers: workerProcesses },
  };
}

type Lookup = { readonly config: DataPlaneConfig } | { readonly problem: string };

/** Resolve a parametersRef to a DataPlaneConfig, or say what is wrong with it. */
export function lookupDataPlaneConfig(
  snapshot: StoreSnapshot,
  ref: { readonly group: string; readonly kind: string; readonly name: string },
  namespace: string | undefined,
): Lookup {
  if (ref.group !== GATEPLANE_GROUP || ref.kind !== 'DataPlaneConfig') {
    return {
      problem: `${ref.group}/${ref.kind} is not supported; refer to a ${GATEPLANE_GROUP}/DataPlaneConfig.`,
    };
  }
  if (namespace === undefined) return { problem: 'namespace is required for a DataPlaneConfig.' };
  const config = snapshot.get('DataPlaneConfig', namespace, ref.name);
  return config ? { config } : { problem: `DataPlaneConfig ${namespace}/${ref.name} does not exist.` };
}

export function acceptGatewayClasses(
  snapshot: StoreSnapshot,
  options: ResolveOptions,
): Map<string, ResolvedClass> {
  const classes = new Map<string, ResolvedClass>();
  for (const gatewayClass of snapshot.list('GatewayClass')) {
    if (gatewayClass.spec.controllerName !== options.controllerName) continue;
    classes.set(gatewayClass.metadata.name, resolveClass(snapshot, gatewayClass, options));
  }
  return classes;
}

function resolveClass(
  snapshot: StoreSnapshot,
  gatewayClass: GatewayClass,
  options: ResolveOptions,
): ResolvedClass {
  const ref = gatewayClass.spec.parametersRef;
  let dataPlane: DataPlane | undefined = dataPlaneFrom(undefined, options.defaultDriver);
  let condition: Condition = classAccepted();
  if (ref) {
    const found = lookupDataPlaneConfig(snapshot, ref, ref.namespace);
    if ('problem' in found) {
      dataPlane = undefined;
      condition = classInvalidParameters(found.problem);
    } else {
      dataPlane = dataPlaneFrom(found.config, options.defaultDriver);
    }
  }
  const { name, generation } = gatewayClass.metadata;
  const features = dataPlane ? options.supportedFeatures[dataPlane.driver] : [];
  return {
    name,
    controllerName: gatewayClass.spec.controllerName,
    dataPlane,
    status: {
      apiVersion: gatewayClass.apiVersion,
      kind: 'GatewayClass',
      metadata: { namespace: '', name, generation },
      status: {
        conditions: withGeneration([condition], generation),
        supportedFeatures: [...features].sort().map((feature) => ({ name: feature })),
      },
    },
  };
}
