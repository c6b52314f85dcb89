/**
 * The drivers, by name. A driver knows its proxy and the model types; it must not import the
 * resolver, the store, or anything that knows Kubernetes.
 */
import type { DriverName } from '../operator/model/types.js';
import type { Driver } from './driver.js';
import { haproxyDriver } from './haproxy/index.js';
import { nginxDriver } from './nginx/index.js';

export const DRIVERS: Readonly<Record<DriverName, Driver>> = { nginx: nginxDriver, haproxy: haproxyDriver };
export const DRIVER_NAMES: readonly DriverName[] = ['nginx', 'haproxy'];
export type { Driver } from './driver.js';
