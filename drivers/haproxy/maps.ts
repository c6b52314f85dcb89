/**
 * Route maps: how an HTTP port with many virtual hosts routes most of them in constant time, and
 * why a route added to, changed in or removed from such a host needs no reload.
 *
 * A virtual host is "mapped" when its hostname is exact and every one of its rules matches a
 * path only (Exact or PathPrefix: no method, header or query condition) and forwards to one
 * backend with nothing else to do (plainForwardBackend). That is the shape of most routes. Its
 * rules become entries of two maps of the port, keyed by host + path + `/`:
 *
 *   exact:  `<host><path>/`  → backend      (Exact `/foo` is `a.example/foo/`)
 *   prefix: `<host><prefix>/` → backend     (PathPrefix `/foo` is `a.example/foo/`, `/` is `a.example/`)
 *
 * A request builds the same key from its Host (lowercased, port removed) and path, looks it up
 * in `exact` with `map_str`, then in `prefix` with `map_beg`, which HAProxy answers with the
 * longest matching key (a prefix tree). The `/` appended to both sides makes a prefix match
 * stop at a path element: `a.example/foo/` is a prefix of `a.example/foo/bar/` but not of
 * `a.example/foobar/`. An exact path beats every prefix and a longer prefix beats a shorter one,
 * which is the spec's precedence for rules that differ only in their path; among rules with the
 * same key the first in model order (the oldest route) is the entry. Every mapped host also gets
 * `<host>/` in `prefix` (its `/` rule, or the 404 backend), so a request for a mapped host never
 * falls through to a less specific virtual host, as with rule lines.
 *
 * A Host holding `/` could shift the boundary between host and path in the key; such a request
 * builds no key and is routed by the rule lines, which compare the whole Host.
 *
 * Map files are read by HAProxy when it (re)loads only; afterwards the runtime API's
 * `add map`, `set map` and `del map` change the loaded copy (liveUpdate.ts). Keys reach both a
 * file line and a runtime command line, neither of which can quote: a host whose key would hold
 * anything but the characters below keeps its rule lines.
 *
 * Only plain HTTP ports with at least two virtual hosts that have rules use maps: a lone host
 * keeps its one `use_backend` line, which costs less per request than building a key (S1 in
 * hack/bench), and an HTTPS port's hosts also choose certificates, which the runtime API cannot
 * add.
 */
import { createHash } from 'node:crypto';
import type { HttpListenerPort, RouteRule, VirtualHost } from '../../operator/model/types.js';
import { memoized } from '../../operator/model/memo.js';
import { plainForwardBackend } from './actions.js';

export interface MapEntry {
  readonly key: string;
  readonly backend: string;
}

export interface PortMaps {
  readonly exact: readonly MapEntry[];
  readonly prefix: readonly MapEntry[];
  /** Indices (in `port.virtualHosts`) of the mapped hosts, which get no rule lines. */
  readonly hosts: ReadonlySet<number>;
}

/** Answers 404 for a request no rule takes (no `_`: cannot be an upstream name). */
export const NO_ROUTE_BACKEND = 'no-route';

/** What a map key may hold: no space, `#`, `;`, `\` or quote, which a map file or the CLI would read. */
const KEY_CHARACTERS = /^[A-Za-z0-9._~!$&()*+,=:@%/-]+$/;
const EXACT_HOSTNAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** The name of a listener port's HTTP frontend (the one that routes requests), `http-80`, `https-443`. */
export function frontendName(port: HttpListenerPort): string {
  return `${port.protocol === 'HTTPS' ? 'https' : 'http'}-${port.port}`;
}

/** A plain HTTP port with two or more virtual hosts that have rules (a catch-all may have none). */
export function usesMaps(port: HttpListenerPort): boolean {
  return port.protocol === 'HTTP' && port.virtualHosts.filter((host) => host.rules.length > 0).length >= 2;
}

/**
 * The port's maps, or undefined when it routes every host with rule lines. Once per port object:
 * render and the live path both ask.
 */
export const portMaps = memoized(buildPortMaps);

/**
 * Every key starts with its host's name and a `/`, which no hostname holds: hosts with different
 * names never share a key, and the port's maps are each host's entries one after the other. Only
 * names equal but for case (the resolver does not lowercase) could share one; then the first in
 * model order keeps it, a key already there having come from a rule of higher precedence.
 */
function buildPortMaps(port: HttpListenerPort): PortMaps | undefined {
  if (!usesMaps(port)) return undefined;
  const exact: MapEntry[] = [];
  const prefix: MapEntry[] = [];
  const hosts = new Set<number>();
  const names = new Set<string>();
  let sharedName = false;
  port.virtualHosts.forEach((host, index) => {
    const entries = hostEntries(host);
    if (!entries) return;
    hosts.add(index);
    if (names.has(entries.hostname)) sharedName = true;
    names.add(entries.hostname);
    for (const entry of entries.exact) exact.push(entry);
    for (const entry of entries.prefix) prefix.push(entry);
  });
  if (hosts.size === 0) return undefined;
  return sharedName
    ? { exact: firstOfEachKey(exact), prefix: firstOfEachKey(prefix), hosts }
    : { exact, prefix, hosts };
}

function firstOfEachKey(entries: readonly MapEntry[]): MapEntry[] {
  const seen = new Set<string>();
  const kept: MapEntry[] = [];
  for (const entry of entries) {
    if (seen.has(entry.key)) continue;
    seen.add(entry.key);
    kept.push(entry);
  }
  return kept;
}

/** Whether a host's rules all fit the maps (see the top of this file). */
export function isMappable(host: VirtualHost): boolean {
  return hostEntries(host) !== undefined;
}

type HostEntry = MapEntry & { readonly kind: 'exact' | 'prefix' };

/** A host's map entries, the first of each key only, and its lowercased name. */
interface HostEntries {
  readonly hostname: string;
  readonly exact: readonly MapEntry[];
  readonly prefix: readonly MapEntry[];
}

/** Once per virtual host: the resolver keeps those that did not change. */
const hostEntries = memoized(buildHostEntries);

function buildHostEntries(host: VirtualHost): HostEntries | undefined {
  const hostname = host.hostname.toLowerCase();
  if (!EXACT_HOSTNAME.test(hostname)) return undefined;
  const entries: HostEntry[] = [];
  for (const rule of host.rules) {
    const entry = ruleEntry(hostname, rule);
    if (!entry) return undefined;
    entries.push(entry);
  }
  // The host's own catch-all: its `/` rule, or a 404 that keeps the request from falling
  // through to a wildcard host. Listed last, so a `/` rule above takes the key first.
  entries.push({ kind: 'prefix', key: `${hostname}/`, backend: NO_ROUTE_BACKEND });
  // First in model order wins: a key already there came from a rule of higher precedence.
  const of = (kind: HostEntry['kind']): MapEntry[] =>
    firstOfEachKey(entries.filter((entry) => entry.kind === kind)).map(({ key, backend }) => ({
      key,
      backend,
    }));
  return { hostname, exact: of('exact'), prefix: of('prefix') };
}

function ruleEntry(hostname: string, rule: RouteRule): HostEntry | undefined {
  const { match } = rule;
  if (match.method !== undefined || match.headers.length > 0 || match.queryParams.length > 0)
    return undefined;
  const backend = plainForwardBackend(rule);
  if (backend === undefined) return undefined;
  const { path } = match;
  const key =
    path.type === 'Exact'
      ? `${hostname}${path.value}/`
      : `${hostname}${path.value === '/' ? '' : path.value}/`;
  if (!KEY_CHARACTERS.test(key)) return undefined;
  return { kind: path.type === 'Exact' ? 'exact' : 'prefix', key, backend };
}

/** A map file's lines; HAProxy reads `<key> <value>` per line. */
export function mapFileContent(entries: readonly MapEntry[]): string {
  return entries.map(({ key, backend }) => `${key} ${backend}\n`).join('');
}

/**
 * Where a port's map lives, relative to the runtime directory: named by its content, like
 * certificates (deploy.ts), so writing a new one never changes what a running proxy reloads.
 */
export function mapFilePath(frontend: string, kind: 'exact' | 'prefix', content: string): string {
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return `maps/${frontend}-${kind}-${digest}.map`;
}

/** The loaded map of `frontend` and `kind` among the paths `show map` lists. */
export function isMapOf(file: string, frontend: string, kind: 'exact' | 'prefix'): boolean {
  return new RegExp(`/maps/${frontend}-${kind}-[0-9a-f]{16}\\.map$`).test(file);
}
