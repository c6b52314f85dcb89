/**
 * Builds the flat view-model the nginx templates render. Every decision about how the model maps
 * onto nginx lives here or in the modules this calls (servers.ts: server blocks and dispatch;
 * locations.ts: rule precedence onto locations; conditions.ts: matches as maps; actions.ts,
 * backends.ts, headers.ts, redirect.ts: what a rule does; tls.ts: certificates). The templates only
 * loop and test the fields prepared below, and pass user strings through quote.ts.
 */
import path from 'node:path';
import type { GatewayModel, Upstream } from '../../operator/model/types.js';
import { formatName } from '../../operator/model/names.js';
import { statusSocketPath, type RenderTarget } from '../driver.js';
import { Declarations, type MapView, type SplitView } from './declarations.js';
import { DEFAULT_REQUEST_HEADERS, type HeaderLine } from './headers.js';
import { generationOf, handoverListen } from './handover.js';
import { serversForPort, type PortListen, type ServerView } from './servers.js';
import type { TlsContext } from './tls.js';

export interface UpstreamView {
  readonly source: string;
  readonly name: string;
  /** `address:port` of each endpoint, IPv6 bracketed. */
  readonly servers: readonly string[];
}

export interface NginxView {
  readonly header: string;
  readonly workerProcesses: string;
  readonly workerShutdownTimeout: string;
  readonly paths: Readonly<
    Record<
      'pid' | 'errorLog' | 'clientBodyTemp' | 'proxyTemp' | 'fastcgiTemp' | 'uwsgiTemp' | 'scgiTemp',
      string
    >
  >;
  /** `unix:<runtimeDir>/status.sock`, the listener answering the hash (driver.ts contract). */
  readonly statusListen: string;
  readonly hash: string;
  readonly serverNamesHashMaxSize: number;
  readonly variablesHashMaxSize: number;
  /** The http-level `proxy_set_header` lines. */
  readonly proxyHeaders: readonly HeaderLine[];
  readonly upstreams: readonly UpstreamView[];
  readonly maps: readonly MapView[];
  readonly splits: readonly SplitView[];
  readonly servers: readonly ServerView[];
}

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function portListen(bindAddress: string, port: number, generation: string): PortListen {
  return { address: hostPort(bindAddress, port), handover: handoverListen(generation, port) };
}

/** What every server block of the model may read besides its port and virtual host. */
export function tlsContext(model: GatewayModel, target: RenderTarget): TlsContext {
  return { runtimeDir: target.runtimeDir, known: new Set(model.certificates.map((c) => c.id)) };
}

export function upstreamView(upstream: Upstream): UpstreamView {
  return {
    source: `service ${formatName(upstream.service)} port ${upstream.port}`,
    name: upstream.name,
    servers: upstream.endpoints.map((endpoint) => hostPort(endpoint.address, endpoint.port)),
  };
}

/** Upstreams with no endpoint are never declared: nginx refuses an empty `upstream{}`. */
export const declaredUpstreams = (model: GatewayModel): readonly Upstream[] =>
  model.upstreams.filter((upstream) => upstream.endpoints.length > 0);

export type GlobalView = Omit<NginxView, 'upstreams' | 'maps' | 'splits' | 'servers'>;

/** Everything but the blocks: `variableCount` is how many variables the maps and splits declare. */
export function globalView(
  model: GatewayModel,
  target: RenderTarget,
  hash: string,
  variableCount: number,
): GlobalView {
  const namesPerPort = model.ports.map((port) => port.virtualHosts.length);
  const dir = (name: string) => path.join(target.runtimeDir, name);
  return {
    header: `gateplane nginx configuration for Gateway ${formatName(model.gateway)}; generated, do not edit`,
    workerProcesses: model.settings.workers === undefined ? 'auto' : String(model.settings.workers),
    // 0 would mean "no limit" to nginx; a zero drain means stop at once, so write at least 1 ms.
    workerShutdownTimeout: `${Math.max(1, Math.round(model.settings.drainTimeoutSeconds * 1000))}ms`,
    paths: {
      pid: dir('nginx.pid'),
      errorLog: dir('error.log'),
      clientBodyTemp: dir('client_body_temp'),
      proxyTemp: dir('proxy_temp'),
      fastcgiTemp: dir('fastcgi_temp'),
      uwsgiTemp: dir('uwsgi_temp'),
      scgiTemp: dir('scgi_temp'),
    },
    statusListen: `unix:${statusSocketPath(target.runtimeDir)}`,
    hash,
    // nginx's defaults plus room for our names: past the ceiling nginx fails ("could not build
    // server_names_hash") or warns; a higher ceiling costs nothing until used. Measured: 10000
    // exact and 10000 wildcard hosts of ~215 characters plus 10000 split variables pass `nginx -t`
    // without a warning.
    serverNamesHashMaxSize: 512 + 4 * Math.max(0, ...namesPerPort),
    variablesHashMaxSize: 1024 + 8 * variableCount,
    proxyHeaders: DEFAULT_REQUEST_HEADERS,
  };
}

export function buildView(model: GatewayModel, target: RenderTarget, hash: string): NginxView {
  const declarations = new Declarations();
  const context = {
    upstreams: new Map<string, Upstream>(model.upstreams.map((u) => [u.name, u])),
    declarations,
    tls: tlsContext(model, target),
  };
  const generation = generationOf(hash);
  const servers = model.ports.flatMap((port) =>
    serversForPort(port, portListen(target.bindAddress, port.port, generation), context),
  );
  return {
    // `declarations` is complete here: building `servers` declared every block.
    ...globalView(model, target, hash, declarations.variableCount),
    upstreams: declaredUpstreams(model).map(upstreamView),
    maps: declarations.maps,
    splits: declarations.splits,
    servers,
  };
}
