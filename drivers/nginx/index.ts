/**
 * The nginx driver: renders a GatewayModel into one nginx.conf (templates/nginx/), checks it with
 * `nginx -t`, and runs nginx in the foreground for the standalone deployer.
 *
 * This layer knows nginx and the model's types; it must not know Kubernetes, the resolver, or who
 * deploys it (standalone or the in-cluster agent). Every user string reaches the configuration
 * through quote.ts.
 *
 * Files: view.ts (view-model and its decisions), locations.ts (rule precedence onto nginx
 * locations), backends.ts (weights, failing shares), render.ts (templates, hash), validate.ts
 * (`nginx -t`, errors back to rules), process.ts (start, reload, stop).
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

export function createNginxDriver(options: NginxDriverOptions = {}): Driver {
  const binary = options.binary ?? '/usr/sbin/nginx';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  return {
    name: 'nginx',
    // FIXME: nothing claimed yet. The model has path matching, host routing and weights only;
    // core HTTPRoute conformance also needs header matching and filters. Add names here as the
    // integration suite proves them.
    supportedFeatures: [],
    render: renderNginx,
    validate: (config, runtimeDir) => validateNginx(config, runtimeDir, { binary }),
    start: (config, runtimeDir) => startNginx(config, runtimeDir, { binary, startTimeoutMs }),
  };
}

export const nginxDriver: Driver = createNginxDriver();
