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
import { PortSeries, replaceRange, type HostRange } from '../portSeries.js';
import { plainForwardBackend } from './actions.js';

export interface MapEntry {
  readonly key: string;
  readonly backend: string;
}

export type MapKind = 'exact' | 'prefix';
export const MAP_KINDS: readonly MapKind[] = ['exact', 'prefix'];

/** A mapped host's entries and its lines of each map file. */
interface HostEntries {
  /** Lowercased. */
  readonly hostname: string;
  readonly entries: Readonly<Record<MapKind, readonly MapEntry[]>>;
  readonly lines: Readonly<Record<MapKind, string>>;
}

/** A map file's text, and where each host's lines start in it (one more: the end). */
interface MapText {
  readonly text: string;
  readonly offsets: readonly number[];
}

/**
 * The maps of one port. What most of the port's hosts contribute is the same from one model to
 * the next (the resolver keeps unchanged hosts' objects), so a port's maps are built from the
 * last port's of the same number when the two differ in a few hosts (portSeries.ts): the text of
 * each map is the last text with the lines of those hosts replaced, and the live path compares
 * only those hosts' entries.
 */
export class PortMaps {
  /** Per virtual host of the port, in order: whether the maps route it (no rule lines then). */
  readonly mapped: readonly boolean[];
  private readonly flat: Partial<Record<MapKind, readonly MapEntry[]>> = {};
  private readonly texts: Readonly<Record<MapKind, MapText>>;

  constructor(
    /** Per virtual host: its entries, or undefined when it is not mapped. */
    readonly hosts: readonly (HostEntries | undefined)[],
    /**
     * Some mapped host's name is not lowercase. Two names equal but for case could then share
     * keys (the schema allows lowercase names only; this is the defensive case): the first in
     * model order keeps a shared key, and every comparison looks at the whole port.
     */
    readonly mixedCase: boolean,
    /** The last port's maps and where the hosts differ, when built from them. */
    from?: { readonly maps: PortMaps; readonly range: HostRange },
  ) {
    this.mapped = hosts.map((host) => host !== undefined);
    // With mixed case the text is the entries' (shared keys kept once), and no port is ever
    // built from such maps (mapsFrom), so their offsets are never read.
    const text = (kind: MapKind): MapText =>
      mixedCase
        ? { text: mapFileContent(this.entries(kind)), offsets: [] }
        : from
          ? from.maps.replacedText(kind, from.range, hosts)
          : hostsText(hosts, kind);
    this.texts = { exact: text('exact'), prefix: text('prefix') };
  }

  /** Every entry of `kind`, in host order, the first of each key. */
  entries(kind: MapKind): readonly MapEntry[] {
    this.flat[kind] ??= this.mixedCase
      ? firstOfEachKey(this.hosts.flatMap((host) => host?.entries[kind] ?? []))
      : this.hosts.flatMap((host) => host?.entries[kind] ?? []);
    return this.flat[kind];
  }

  /** The map file of `kind`: HAProxy reads `<key> <value>` per line. */
  text(kind: MapKind): string {
    return this.texts[kind].text;
  }

  /** This map's text with the lines of the hosts in `range` replaced by those of `after`'s hosts there. */
  private replacedText(
    kind: MapKind,
    range: HostRange,
    after: readonly (HostEntries | undefined)[],
  ): MapText {
    const { text, offsets } = this.texts[kind];
    const { start, beforeEnd, afterEnd } = range;
    const lines = after.slice(start, afterEnd).map((host) => host?.lines[kind] ?? '');
    const middle: number[] = [];
    let at = offsets[start]!;
    for (const line of lines) {
      middle.push(at);
      at += line.length;
    }
    const shift = at - offsets[beforeEnd]!;
    const shifted = offsets.slice(beforeEnd).map((offset) => offset + shift);
    return {
      text: text.slice(0, offsets[start]) + lines.join('') + text.slice(offsets[beforeEnd]),
      offsets: [...offsets.slice(0, start), ...middle, ...shifted],
    };
  }
}

function hostsText(hosts: readonly (HostEntries | undefined)[], kind: MapKind): MapText {
  const offsets: number[] = [];
  let at = 0;
  const lines = hosts.map((host) => {
    const line = host?.lines[kind] ?? '';
    offsets.push(at);
    at += line.length;
    return line;
  });
  offsets.push(at);
  return { text: lines.join(''), offsets };
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
  if (port.protocol !== 'HTTP') return false;
  let withRules = 0;
  for (const host of port.virtualHosts) if (host.rules.length > 0 && ++withRules === 2) return true;
  return false;
}

/**
 * The port's maps, or undefined when it routes every host with rule lines. Once per port object:
 * render and the live path both ask.
 */
export const portMaps = memoized((port: HttpListenerPort): PortMaps | undefined => series.next(port));

const series = new PortSeries<PortMaps | undefined>(buildPortMaps, mapsFrom);

/**
 * Every key starts with its host's name and a `/`, which no hostname holds: hosts with different
 * names never share a key, and the port's maps are each host's entries one after the other.
 * Exported for tests: portMaps builds from the last port where it can, with the same result.
 */
export function buildPortMaps(port: HttpListenerPort): PortMaps | undefined {
  if (!usesMaps(port)) return undefined;
  const hosts = port.virtualHosts.map(hostEntries);
  if (!hosts.some((host) => host !== undefined)) return undefined;
  return new PortMaps(
    hosts,
    hosts.some((host, i) => host && host.hostname !== port.virtualHosts[i]!.hostname),
  );
}

/** `port`'s maps from `maps`, the last port's, where they differ in `range`; undefined: build afresh. */
function mapsFrom(
  port: HttpListenerPort,
  maps: PortMaps | undefined,
  range: HostRange,
): PortMaps | undefined {
  if (!maps || maps.mixedCase || !usesMaps(port)) return undefined;
  const entered = port.virtualHosts.slice(range.start, range.afterEnd);
  const enteredEntries = entered.map(hostEntries);
  if (enteredEntries.some((host, i) => host && host.hostname !== entered[i]!.hostname)) return undefined;
  const hosts = replaceRange(maps.hosts, range, enteredEntries);
  // None mapped: the build afresh says so.
  return hosts.some((host) => host !== undefined) ? new PortMaps(hosts, false, { maps, range }) : undefined;
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

type HostEntry = MapEntry & { readonly kind: MapKind };

/** Once per virtual host: the resolver keeps those that did not change. */
const hostEntries = memoized(buildHostEntries);

function buildHostEntries(host: VirtualHost): HostEntries | undefined {
  const hostname = host.hostname.toLowerCase();
  if (!EXACT_HOSTNAME.test(hostname)) return undefined;
  const all: HostEntry[] = [];
  for (const rule of host.rules) {
    const entry = ruleEntry(hostname, rule);
    if (!entry) return undefined;
    all.push(entry);
  }
  // The host's own catch-all: its `/` rule, or a 404 that keeps the request from falling
  // through to a wildcard host. Listed last, so a `/` rule above takes the key first.
  all.push({ kind: 'prefix', key: `${hostname}/`, backend: NO_ROUTE_BACKEND });
  // First in model order wins: a key already there came from a rule of higher precedence.
  const of = (kind: MapKind): MapEntry[] =>
    firstOfEachKey(all.filter((entry) => entry.kind === kind)).map(({ key, backend }) => ({ key, backend }));
  const entries = { exact: of('exact'), prefix: of('prefix') };
  return {
    hostname,
    entries,
    lines: { exact: mapFileContent(entries.exact), prefix: mapFileContent(entries.prefix) },
  };
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
export function mapFilePath(frontend: string, kind: MapKind, content: string): string {
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return `maps/${frontend}-${kind}-${digest}.map`;
}

/** The loaded map of `frontend` and `kind` among the paths `show map` lists. */
export function isMapOf(file: string, frontend: string, kind: MapKind): boolean {
  return new RegExp(`/maps/${frontend}-${kind}-[0-9a-f]{16}\\.map$`).test(file);
}
