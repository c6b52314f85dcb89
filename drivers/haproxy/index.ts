/**
 * The HAProxy 2.6 driver: renders a GatewayModel into one haproxy.cfg (render.ts, view.ts and
 * templates/haproxy/), checks it with `haproxy -c` (validate.ts), and runs HAProxy in
 * master-worker mode with graceful reloads (process.ts).
 *
 * This layer knows HAProxy and the model, nothing else: no Kubernetes, no resolver, no
 * decision about which routes are valid (it only reports which rule a checker error belongs
 * to), and no file writing beyond what the proxy itself does (deploy.ts stages and commits).
 */
import type { Driver } from '../driver.js';
import { haproxyBinary } from './binary.js';
import { startHaproxy } from './process.js';
import { renderHaproxy } from './render.js';
import { validateHaproxy } from './validate.js';

export interface HaproxyDriverOptions {
  /** The haproxy executable; by default found on PATH or in the sbin directories. */
  readonly binary?: string;
}

export function createHaproxyDriver(options: HaproxyDriverOptions = {}): Driver {
  const binary = (): string => options.binary ?? haproxyBinary();
  return {
    name: 'haproxy',
    // FIXME: fill in as the conformance suite passes; nothing is claimed before it runs.
    supportedFeatures: [],
    render: renderHaproxy,
    validate: (config, runtimeDir) => validateHaproxy(binary(), config, runtimeDir),
    start: (config, runtimeDir) => startHaproxy(binary(), config, runtimeDir),
  };
}

export const haproxyDriver: Driver = createHaproxyDriver();
