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
