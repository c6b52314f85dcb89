/**
 * One server block for the hosts of a port that need nothing but their upstream.
 *
 * On a plain HTTP port, a virtual host with an exact hostname whose first rule forwards every
 * path (PathPrefix `/`, no method, header or query condition, no filter) to one upstream that has
 * endpoints, leaving nothing to its other rules, is the shape of most routes. From two such hosts
 * on a port, they share one server: their names on its `server_name` lines, and
 * `map $host $gp_host_<n>` naming each one's upstream, read by `proxy_pass http://$gp_host_<n>`
 * (a variable holding the name of an `upstream{}` is looked up among them, keep-alive pool
 * included). nginx picks that server for exactly the names a server of their own would have had
 * (exact names come before wildcards and the default server, and every name is listed once per
 * port), and such a server would have answered every request from its `location "/"` with
 * `proxy_pass http://<upstream>`: the same answers. What it saves is nginx's per-server cost, in
 * every worker's memory and in every parse (`nginx -t` and each reload): tens of KB per server{}
 * against one map line.
 *
 * A lone such host keeps its own server: S1 of hack/bench compares exactly that configuration with
 * a hand-tuned one. Hostnames the map would read as one of its own parameters (`default`,
 * `hostnames`, `include`, `volatile`), or that are not lowercase DNS names, keep their server too.
 */
import type { HttpListenerPort, RouteRule, Upstream, VirtualHost } from '../../operator/model/types.js';
import { memoized } from '../../operator/model/memo.js';
import { proxyPassView } from './actions.js';
import type { DeclarationSink } from './declarations.js';
import { isEmpty } from './headers.js';
import { literal, variable } from './quote.js';
import type { PortListen, ServerView } from './servers.js';

const DNS_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const MAP_PARAMETERS = new Set(['default', 'hostnames', 'include', 'volatile']);

/** The upstream a host's first rule sends every request to, when that rule takes them all. */
function onlyUpstream(host: VirtualHost, upstreams: ReadonlyMap<string, Upstream>): string | undefined {
  const upstream = candidateUpstream(host);
  // nginx has no upstream{} for a Service without endpoints: that rule answers 503 by itself.
  return upstream !== undefined && (upstreams.get(upstream)?.endpoints.length ?? 0) > 0
    ? upstream
    : undefined;
}

/**
 * What onlyUpstream reads of the host alone; once per virtual host (the resolver keeps those that
 * did not change).
 */
const candidateUpstream = memoized((host: VirtualHost): string | undefined => {
  if (!DNS_NAME.test(host.hostname) || MAP_PARAMETERS.has(host.hostname)) return undefined;
  // Rules come in precedence order: a first rule that takes every path leaves none to the others
  // (a wildcard route's rules are also this host's, after its own).
  const [rule] = host.rules;
  if (!rule || !forwardsEverything(rule)) return undefined;
  if (rule.action.kind !== 'forward') return undefined;
  const { backends, requestHeaders, responseHeaders } = rule.action;
  if (!isEmpty(requestHeaders) || !isEmpty(responseHeaders)) return undefined;
  const positive = backends.filter((backend) => backend.weight > 0);
  const [only] = positive;
  return positive.length === 1 && only?.kind === 'upstream' ? only.upstream : undefined;
});

function forwardsEverything({ match }: RouteRule): boolean {
  return (
    match.path.type === 'PathPrefix' &&
    match.path.value === '/' &&
    match.method === undefined &&
    match.headers.length === 0 &&
    match.queryParams.length === 0
  );
}

/** The hosts of `port` that go into its shared server, with their upstreams; empty if none do. */
export function mappedHosts(
  port: HttpListenerPort,
  upstreams: ReadonlyMap<string, Upstream>,
): ReadonlyMap<VirtualHost, string> {
  if (port.protocol !== 'HTTP') return new Map();
  const mapped = new Map<VirtualHost, string>();
  for (const host of port.virtualHosts) {
    const upstream = onlyUpstream(host, upstreams);
    if (upstream !== undefined) mapped.set(host, upstream);
  }
  return mapped.size >= 2 ? mapped : new Map();
}

export interface MappedHost {
  readonly hostname: string;
  readonly upstream: string;
}

export const mappedList = (mapped: ReadonlyMap<VirtualHost, string>): MappedHost[] =>
  [...mapped].map(([host, upstream]) => ({ hostname: host.hostname, upstream }));

/**
 * The shared server of `hosts` (from mappedHosts, not empty), declaring its map. `count` is the
 * number of hosts its comment states: render.ts builds the server of a stand-in host and writes
 * the real hosts' lines in its place.
 */
export function hostMapServer(
  port: HttpListenerPort,
  hosts: readonly MappedHost[],
  listen: PortListen,
  declarations: DeclarationSink,
  count = hosts.length,
): ServerView {
  const entries = hosts.map(({ hostname, upstream }) => ({ key: hostname, value: literal(upstream) }));
  const lookup = declarations.map('host', {
    comment: `port ${port.port}: the upstream of each host below`,
    input: variable('host'),
    entries,
    fallback: literal(''),
  });
  return {
    source: `port ${port.port}: ${count} hosts whose first rule forwards every path to one upstream`,
    listen,
    ssl: false,
    defaultServer: false,
    serverNames: hosts.map((host) => host.hostname),
    certificates: [],
    locations: [{ exact: false, path: '/', dispatch: null, rule: null, action: proxyPassView(lookup) }],
    handsOver: false,
    namedLocations: [],
  };
}
