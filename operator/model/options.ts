/** What the resolver needs to know beyond the objects themselves. */
import type { DriverName } from './types.js';

export const CONTROLLER_NAME = 'gateplane.io/gateway-controller';

export interface ResolveOptions {
  /** GatewayClasses with this `spec.controllerName` are ours. */
  readonly controllerName: string;
  /** The driver for classes without a DataPlaneConfig (`--driver`). */
  readonly defaultDriver: DriverName;
  /** Conformance features each driver passes, published in `GatewayClass.status.supportedFeatures`. */
  readonly supportedFeatures: Readonly<Record<DriverName, readonly string[]>>;
}

/** Our options, with each driver's published features (`drivers` is the drivers by name). */
export function resolveOptions(
  defaultDriver: DriverName,
  drivers: Readonly<Record<DriverName, { readonly supportedFeatures: readonly string[] }>>,
): ResolveOptions {
  return {
    controllerName: CONTROLLER_NAME,
    defaultDriver,
    supportedFeatures: {
      nginx: drivers.nginx.supportedFeatures,
      haproxy: drivers.haproxy.supportedFeatures,
    },
  };
}
