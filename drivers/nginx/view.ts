/**
 * Builds the flat view-model the nginx templates render. Every decision about how the model maps
 * onto nginx lives here (or in locations.ts / backends.ts, which this calls); the templates only
 * loop and test the fields prepared below, and pass user strings through quote.ts.
 */
import path from 'node:path';
import type { GatewayModel, HttpListenerPort, Upstream, VirtualHost } from '../../operator/model/types.js';
import { formatName } from '../../operator/model/names.js';
import { statusSocketPath, type RenderTarget } from '../driver.js';
import { actionView, type ActionView, type SplitShare, type SplitView } from './backends.js';
import { planLocations, type PlannedLocation } from './locations.js';

export interface LocationView {
  readonly exact: boolean;
  readonly path: string;
  /** The serving rule's source, written as a comment validate.ts reads back; null for a 404. */
  readonly rule: { readonly source: string } | null;
  readonly action: ActionView;
}

export interface ServerView {
  readonly source: string;
  /** `address:port`, IPv6 bracketed. */
  readonly listen: string;
  readonly defaultServer: boolean;
  /** null for the catch-all (it is the default server and needs no name). */
  readonly serverName: string | null;
  /** The synthetic server for unknown hosts: answers 404 to everything, has no locations. */
  readonly notFound: boolean;
  readonly locations: readonly LocationView[];
}

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
  readonly upstreams: readonly UpstreamView[];
  readonly splits: readonly SplitView[];
  readonly servers: readonly ServerView[];
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The `server_name` argument for a virtual host. nginx matches server names case-insensitively
 * against the Host header with any `:port` removed, exact names first, then the longest leading
 * wildcard (`*.example.com` matches one or more labels, never `example.com` itself), then the
 * default server: the model's order exactly. `*` is the catch-all, served as the default server.
 * A few spellings mean something else to `server_name` even when quoted (a regex after `~`, the
 * `.example.com` suffix form, `$hostname`, other wildcard positions); the resolver never emits
 * them, so meeting one is a bug, not input to pass on.
 */
function serverName(hostname: string): string | null {
  if (hostname === '*') return null;
  const rest = hostname.startsWith('*.') ? hostname.slice(2) : hostname;
  if (rest === '' || rest.includes('*') || /^[~.]/.test(hostname) || hostname === '$hostname') {
    throw new Error(`internal: hostname ${JSON.stringify(hostname)} is not a plain or *. wildcard name`);
  }
  return hostname;
}

function ruleSource(rule: VirtualHost['rules'][number]): string {
  const { route, rule: index, match } = rule.source;
  return `route ${formatName(route)} rule ${index} match ${match} [${rule.id}]`;
}

/** Collects split_clients blocks, one per rule id however many locations or hosts reuse it. */
class SplitRegistry {
  readonly splits: SplitView[] = [];
  private readonly byRule = new Map<string, string>();

  declare(ruleId: string, source: string, shares: readonly SplitShare[]): string {
    const known = this.byRule.get(ruleId);
    if (known) return known;
    // Variable names may hold only [A-Za-z0-9_] and live in a hash with small buckets, so use a
    // short counter (deterministic: the model is sorted) rather than the rule id.
    const variable = `$gp_backend_${this.splits.length}`;
    this.byRule.set(ruleId, variable);
    this.splits.push({ source, variable, shares });
    return variable;
  }
}

function serversForPort(
  port: HttpListenerPort,
  listen: string,
  build: (host: VirtualHost) => LocationView[],
): ServerView[] {
  const servers = port.virtualHosts.map((host) => ({
    source: `listener ${host.listener} hostname ${host.hostname}`,
    listen,
    defaultServer: host.hostname === '*',
    serverName: serverName(host.hostname),
    notFound: false,
    locations: build(host),
  }));
  if (servers.some((server) => server.defaultServer)) return servers;
  // Without a catch-all nginx would hand unknown hosts to the port's first server; the model wants 404.
  const notFound = {
    source: `port ${port.port}: no virtual host`,
    listen,
    defaultServer: true,
    serverName: null,
    notFound: true,
    locations: [],
  };
  return [notFound, ...servers];
}

/** The location for one planned path, served by its first candidate rule (or a 404). */
function locationView(
  location: PlannedLocation,
  upstreams: ReadonlyMap<string, Upstream>,
  registry: SplitRegistry,
): LocationView {
  const { exact, path: locationPath } = location;
  const rule = location.candidates[0];
  if (!rule) {
    return {
      exact,
      path: locationPath,
      rule: null,
      action: { respond: { status: 404 }, guards: [], proxyPass: null },
    };
  }
  const source = ruleSource(rule);
  const declareSplit = (shares: readonly SplitShare[]) => registry.declare(rule.id, source, shares);
  return {
    exact,
    path: locationPath,
    rule: { source },
    action: actionView(rule.action, { upstreams, declareSplit }),
  };
}

export function buildView(model: GatewayModel, target: RenderTarget, hash: string): NginxView {
  const upstreams = new Map<string, Upstream>(model.upstreams.map((u) => [u.name, u]));
  const registry = new SplitRegistry();
  const locationsOf = (host: VirtualHost): LocationView[] =>
    planLocations(host.rules).map((location) => locationView(location, upstreams, registry));
  const servers = model.ports.flatMap((port) =>
    serversForPort(port, hostPort(target.bindAddress, port.port), locationsOf),
  );
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
    // without a warning. `registry` is complete here: building `servers` declared every split.
    serverNamesHashMaxSize: 512 + 4 * Math.max(0, ...namesPerPort),
    variablesHashMaxSize: 1024 + 8 * registry.splits.length,
    upstreams: model.upstreams
      .filter((upstream) => upstream.endpoints.length > 0)
      .map((upstream) => ({
        source: `service ${formatName(upstream.service)} port ${upstream.port}`,
        name: upstream.name,
        servers: upstream.endpoints.map((endpoint) => hostPort(endpoint.address, endpoint.port)),
      })),
    splits: registry.splits,
    servers,
  };
}
