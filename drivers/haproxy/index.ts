/**
 * The HAProxy 2.6 driver: renders a GatewayModel into one haproxy.cfg plus one file per TLS
 * certificate (render.ts, view.ts and the modules it assembles, templates/haproxy/), checks it
 * with `haproxy -c` (validate.ts), runs HAProxy in master-worker mode with graceful reloads
 * (process.ts), and applies endpoint-only changes through the runtime API without a reload
 * (liveUpdate.ts, over the server slots of slots.ts).
 *
 * This layer knows HAProxy and the model, nothing else: no Kubernetes, no resolver, no
 * decision about which routes are valid (it only reports which rule a checker error belongs
 * to), and no file writing beyond what the proxy itself does (deploy.ts stages and commits).
 */
import type { Driver } from '../driver.js';
import { haproxyBinary } from './binary.js';
import { applyLiveHaproxy } from './liveUpdate.js';
import { startHaproxy } from './process.js';
import { renderHaproxy } from './render.js';
import { validateHaproxy } from './validate.js';

/**
 * Conformance features this driver implements and test/integration/drivers/haproxy.test.ts checks
 * against a real HAProxy. Not claimed yet: HTTPRouteBackendRequestHeaderModification (backendRef
 * filters are refused by the resolver), rewrites, mirrors, timeouts, h2c and WebSocket backends.
 */
const SUPPORTED_FEATURES = [
  'Gateway',
  'HTTPRoute',
  'ReferenceGrant',
  'GatewayPort8080',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteMethodMatching',
  'HTTPRouteResponseHeaderModification',
  'HTTPRoutePortRedirect',
  'HTTPRouteSchemeRedirect',
  'HTTPRoutePathRedirect',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
] as const;

export interface HaproxyDriverOptions {
  /** The haproxy executable; by default found on PATH or in the sbin directories. */
  readonly binary?: string;
}

export function createHaproxyDriver(options: HaproxyDriverOptions = {}): Driver {
  const binary = (): string => options.binary ?? haproxyBinary();
  return {
    name: 'haproxy',
    supportedFeatures: SUPPORTED_FEATURES,
    render: renderHaproxy,
    validate: (config, runtimeDir) => validateHaproxy(binary(), config, runtimeDir),
    start: (config, runtimeDir) => startHaproxy(binary(), config, runtimeDir),
    applyLive: applyLiveHaproxy,
  };
}

export const haproxyDriver: Driver = createHaproxyDriver();
