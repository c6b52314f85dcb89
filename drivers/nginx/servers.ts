/**
 * One nginx `server` block per virtual host of a listener port, with its locations.
 *
 * A location with conditional candidates (locations.ts) dispatches with
 *   error_page 418 = $gp_pick_N;
 *   if ($gp_pick_N) { return 418; }
 * `$gp_pick_N` (conditions.ts) is `@<rule id>` for the first candidate that holds, or "" for none.
 * `return 418` without text goes through error_page, which evaluates its target per request and
 * jumps to that named location, keeping the method and the raw request URI; with `=` the client
 * gets the named location's own status. An `if` holding only `return` is safe. Nothing else
 * produces a bare 418: fixed answers carry a (blank) text, which nginx sends without consulting
 * error_page, and proxied statuses are not intercepted. The unconditional candidate, or a 404,
 * follows inline. Named locations belong to a server, so each server declares the ones it uses.
 */
import { formatName } from '../../operator/model/names.js';
import type { HttpListenerPort, RouteRule, VirtualHost } from '../../operator/model/types.js';
import { actionView, unmatchedView, type ActionContext, type ActionView } from './actions.js';
import { hostMapServer, mappedHosts, mappedList } from './hostMap.js';
import { dispatchVariable, isConditional } from './conditions.js';
import { planLocations, type PlannedLocation } from './locations.js';
import { serverCertificates, type TlsContext } from './tls.js';

/** The status a location returns to jump to a named location. */
export const DISPATCH_STATUS = 418;

export interface LocationView {
  readonly exact: boolean;
  readonly path: string;
  /** `$gp_pick_N` and the status that jumps, when conditional candidates come first. */
  readonly dispatch: { readonly variable: string; readonly status: number } | null;
  /** The inline rule's source, written as a comment validate.ts reads back; null for a 404. */
  readonly rule: { readonly source: string } | null;
  readonly action: ActionView;
}

export interface NamedLocationView {
  readonly id: string;
  readonly source: string;
  readonly action: ActionView;
}

/** Where a port's server blocks listen. */
export interface PortListen {
  /** `address:port`, IPv6 bracketed. */
  readonly address: string;
  /** The configuration's handover socket for the port (handover.ts), plain HTTP. */
  readonly handover: string;
}

export interface ServerView {
  readonly source: string;
  readonly listen: PortListen;
  readonly ssl: boolean;
  readonly defaultServer: boolean;
  /** Empty for the catch-all (it is the default server and needs no name); several: hostMap.ts. */
  readonly serverNames: readonly string[];
  /** Certificate files (chain and key in one) for `ssl_certificate` and `ssl_certificate_key`. */
  readonly certificates: readonly string[];
  readonly locations: readonly LocationView[];
  /** Some location hands over (handover.ts): the server declares `@gp_not_found`. */
  readonly handsOver: boolean;
  readonly namedLocations: readonly NamedLocationView[];
}

export function ruleSource(rule: RouteRule): string {
  const { route, rule: index, match } = rule.source;
  return `route ${formatName(route)} rule ${index} match ${match} [${rule.id}]`;
}

/**
 * The `server_name` argument for a virtual host. nginx matches server names case-insensitively
 * against the Host header with any `:port` removed (and against SNI), exact names first, then the
 * longest leading wildcard (`*.example.com` matches one or more labels, never `example.com`
 * itself), then the default server: the model's order exactly. `*` is the catch-all, served as
 * the default server. A few spellings mean something else to `server_name` even when quoted (a
 * regex after `~`, the `.example.com` suffix form, `$hostname`, other wildcard positions); the
 * resolver never emits them, so meeting one is a bug, not input to pass on.
 */
function serverName(hostname: string): string | null {
  if (hostname === '*') return null;
  const rest = hostname.startsWith('*.') ? hostname.slice(2) : hostname;
  if (rest === '' || rest.includes('*') || /^[~.]/.test(hostname) || hostname === '$hostname') {
    throw new Error(`internal: hostname ${JSON.stringify(hostname)} is not a plain or *. wildcard name`);
  }
  return hostname;
}

export interface ServerContext extends Omit<ActionContext, 'listener'> {
  readonly tls: TlsContext;
}

function locationView(location: PlannedLocation, context: ActionContext): LocationView {
  const conditional = location.candidates.filter((rule) => isConditional(rule.match));
  const dispatch =
    conditional.length > 0
      ? { variable: dispatchVariable(conditional, ruleSource, context.declarations), status: DISPATCH_STATUS }
      : null;
  const inline = location.candidates.find((rule) => !isConditional(rule.match));
  const base = { exact: location.exact, path: location.path, dispatch };
  if (!inline) return { ...base, rule: null, action: unmatchedView(context.listener.port) };
  const source = ruleSource(inline);
  return { ...base, rule: { source }, action: actionView(inline, source, context) };
}

export function hostServer(
  port: HttpListenerPort,
  host: VirtualHost,
  listen: PortListen,
  context: ServerContext,
): ServerView {
  const actions: ActionContext = { ...context, listener: port };
  const planned = planLocations(host.rules);
  const named = new Map<string, RouteRule>();
  for (const rule of planned.flatMap((location) => location.candidates))
    if (isConditional(rule.match) && !named.has(rule.id)) named.set(rule.id, rule);
  const locations = planned.map((location) => locationView(location, actions));
  return {
    source: `listener ${host.listener} hostname ${host.hostname}`,
    listen,
    ssl: port.protocol === 'HTTPS',
    defaultServer: host.hostname === '*',
    serverNames: serverName(host.hostname) === null ? [] : [host.hostname],
    certificates: serverCertificates(port, host, context.tls),
    locations,
    handsOver: locations.some((location) => location.action.handover !== null),
    namedLocations: [...named.values()].map((rule) => ({
      id: rule.id,
      source: ruleSource(rule),
      action: actionView(rule, ruleSource(rule), actions),
    })),
  };
}

/**
 * Without a catch-all nginx would hand unknown hosts to the port's first server; the model wants
 * 404 (handed over during a reload, like any unmatched request), and on HTTPS this server also
 * answers handshakes with an unknown SNI or none. Null when the port has a catch-all virtual
 * host; otherwise the port's first server block.
 */
export function notFoundServer(
  port: HttpListenerPort,
  listen: PortListen,
  tls: TlsContext,
): ServerView | null {
  if (port.virtualHosts.some((host) => host.hostname === '*')) return null;
  return {
    source: `port ${port.port}: no virtual host`,
    listen,
    ssl: port.protocol === 'HTTPS',
    defaultServer: true,
    serverNames: [],
    certificates: serverCertificates(port, null, tls),
    locations: [{ exact: false, path: '/', dispatch: null, rule: null, action: unmatchedView(port.port) }],
    handsOver: true,
    namedLocations: [],
  };
}

export function serversForPort(
  port: HttpListenerPort,
  listen: PortListen,
  context: ServerContext,
): ServerView[] {
  const mapped = mappedHosts(port, context.upstreams);
  const servers = port.virtualHosts
    .filter((host) => !mapped.has(host))
    .map((host) => hostServer(port, host, listen, context));
  const notFound = notFoundServer(port, listen, context.tls);
  // After the hosts' own servers: render.ts builds and declares in this order too.
  if (mapped.size > 0) servers.push(hostMapServer(port, mappedList(mapped), listen, context.declarations));
  return notFound ? [notFound, ...servers] : servers;
}
