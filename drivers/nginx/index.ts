/**
 * The nginx driver: renders a GatewayModel into one nginx.conf plus certificate files (templates/nginx/),
 * `nginx -t`, and runs nginx in the foreground for the standalone deployer.
 *
 * This layer knows nginx and the model's types; it must not know Kubernetes, the resolver, or who
 * deploys it (standalone or the in-cluster agent). Every user string reaches the configuration
 * through quote.ts.
 *
 * Files: view.ts (view-model), servers.ts (server blocks, dispatch to rules), locations.ts (rule
 * precedence onto nginx locations), conditions.ts (method/header/query matches as maps),
 * actions.ts with backends.ts (weights, failing shares), headers.ts (header modifiers) and
 * redirect.ts, tls.ts (certificates), declarations.ts (http-level maps), quote.ts, render.ts
 * (templates, hash), validate.ts (`nginx -t`, errors back to rules), process.ts (start, reload,
 * stop).
 */
import type { Driver } from '../driver.js';
import { startNginx } from './process.js';
import { renderNginx } from './render.js';
import { validateNginx } from './validate.js';

export interface NginxDriverOptions {
  /** Debian's path; not looked up on PATH, which lacks /usr/sbin for non-root users there. */
  readonly binary?: string;
  readonly startTimeoutMs?: number;
}

/**
 * Conformance feature names (GatewayClass.status.supportedFeatures). Not yet: per-backend filters
 * (the model has none), URL rewrites, mirroring, timeouts, HTTP/2 (421 on SNI/Host mismatch).
 */
const SUPPORTED_FEATURES = [
  'Gateway',
  'GatewayPort8080',
  'HTTPRoute',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteMethodMatching',
  'HTTPRoutePathRedirect',
  'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteSchemeRedirect',
  'ReferenceGrant',
] as const;

export function createNginxDriver(options: NginxDriverOptions = {}): Driver {
  const binary = options.binary ?? '/usr/sbin/nginx';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  return {
    name: 'nginx',
    // Only what test/integration/drivers/nginx.test.ts checks against real nginx.
    supportedFeatures: SUPPORTED_FEATURES,
    render: renderNginx,
    validate: (config, runtimeDir) => validateNginx(config, runtimeDir, { binary }),
    start: (config, runtimeDir) => startNginx(config, runtimeDir, { binary, startTimeoutMs }),
    // No applyLive: every change, endpoints included, is a graceful reload. nginx 1.22 open
    // source has no runtime API for upstream servers: changing them live takes NGINX Plus (its
    // `api` module, or `server ... resolve`, which open source only got in 1.27.3), or a Lua/njs
    // balancer reading a shared dictionary, and Debian's nginx 1.22 ships neither module.
  };
}

export const nginxDriver: Driver = createNginxDriver();
