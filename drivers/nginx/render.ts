/**
 * Renders a GatewayModel into nginx.conf and the certificate files it names. Pure: the same model
 * and target give the same bytes, and the hash served by the status endpoint is computed from the
 * inputs (templates, model, target), not from the output that embeds it. Server blocks and
 * upstreams are kept from one render to the next and reused while what they depend on is
 * unchanged (see "Incremental rendering" below); the bytes are those of renderNginxUncached.
 */
import { readFileSync, readdirSync } from 'node:fs';
import Handlebars from 'handlebars';
import { memoized } from '../../operator/model/memo.js';
import { formatName } from '../../operator/model/names.js';
import type { GatewayModel, HttpListenerPort, Upstream, VirtualHost } from '../../operator/model/types.js';
import type { RenderTarget, RenderedConfig } from '../driver.js';
import { jsonOf, renderHash, templateDigest } from '../hash.js';
import { Declarations, type MapView, type SplitView } from './declarations.js';
import {
  fill,
  GENERATION_PLACEHOLDER,
  Recorder,
  replay,
  toParts,
  upstreamState,
  type Blocks,
  type Parts,
  type Step,
} from './fragments.js';
import { generationOf } from './handover.js';
import { hostMapServer, mappedHosts, type MappedHost } from './hostMap.js';
import { isExpression, literal, nginxComment, nginxQuote, nginxQuoteExpression } from './quote.js';
import { hostServer, notFoundServer, type PortListen, type ServerView } from './servers.js';
import { certificateFiles, serverCertificates } from './tls.js';
import {
  buildView,
  declaredUpstreams,
  globalView,
  portListen,
  tlsContext,
  upstreamView,
  type NginxView,
  type UpstreamView,
} from './view.js';

export const MAIN_FILE = 'nginx.conf';

const TEMPLATE_DIR = new URL('../../templates/nginx/', import.meta.url);
const PARTIAL_DIR = new URL('partials/', TEMPLATE_DIR);

// An isolated environment: no other module's helpers or partials can leak into ours.
const handlebars = Handlebars.create();
// One quoting helper: a plain string becomes a literal token, an NginxExpression (view.ts decides
// which fields are complex values) a token with `$` escaped and our variables expanded.
handlebars.registerHelper('quote', (value: unknown) =>
  isExpression(value) ? nginxQuoteExpression(value) : nginxQuote(String(value)),
);
handlebars.registerHelper('comment', (value: unknown) => nginxComment(String(value)));

const options = {
  strict: true,
  noEscape: true,
  knownHelpers: { quote: true, comment: true },
  knownHelpersOnly: true,
} as const;

// Read and compile once, at module load (Handlebars finishes compiling on first use and keeps the
// result). The digest covers every source in a fixed order, so a template change (a gateplane
// upgrade) changes the hash and triggers a reload.
const mainSource = readFileSync(new URL('nginx.conf.hbs', TEMPLATE_DIR), 'utf8');
const partialSources = readdirSync(PARTIAL_DIR)
  .filter((file) => file.endsWith('.hbs'))
  .sort()
  .map((file) => ({
    name: file.slice(0, -'.hbs'.length),
    source: readFileSync(new URL(file, PARTIAL_DIR), 'utf8'),
  }));
for (const partial of partialSources)
  handlebars.registerPartial(partial.name, handlebars.compile(partial.source, options));
const mainTemplate = handlebars.compile<NginxView>(mainSource, options);
const digest = templateDigest([mainSource, ...partialSources.flatMap((p) => [p.name, p.source])]);

// Handlebars indents every line of an indented partial, blank ones too; drop that trailing
// whitespace. Safe: a quoted token never spans lines, so no line ends inside quotes.
const trimLines = (text: string): string => text.replace(/[ \t]+$/gm, '');

/** Renders every block in one pass: the reference the fragment cache must match byte for byte. */
export function renderNginxUncached(model: GatewayModel, target: RenderTarget): RenderedConfig {
  const hash = renderHash(digest, model, target);
  return rendered(model, hash, () => trimLines(mainTemplate(buildView(model, target, hash))));
}

function rendered(model: GatewayModel, hash: string, content: () => string): RenderedConfig {
  try {
    // Certificates are content-addressed (certs/<sha256>.pem), so staging them never changes what
    // a running nginx reads; see deploy.ts.
    const files = [{ path: MAIN_FILE, content: content() }, ...certificateFiles(model)];
    return { driver: 'nginx', main: MAIN_FILE, files, hash };
  } catch (cause) {
    throw new Error(`render ${MAIN_FILE} for ${formatName(model.gateway)}`, { cause });
  }
}

/*
 * Incremental rendering. The main template writes the maps, upstreams, split_clients and servers
 * in four adjacent loops whose iterations depend on their item alone, so the file is the template
 * rendered without those items, with the text of each iteration inserted where the loops were.
 * Each iteration is rendered by the loop's own body, taken from the template source, and trimmed
 * on its own: it starts and ends at a line boundary. A server block's text is kept (fragments.ts)
 * under everything it depends on, and so is an upstream's; unchanged ones are not rebuilt.
 */

/** The body of the (outermost) `{{#each <name>}}` loop of the main template. */
function loopBody(name: string): string {
  const open = `{{#each ${name}}}\n`;
  const start = mainSource.indexOf(open);
  if (start < 0) throw new Error(`internal: nginx.conf.hbs has no ${open.trim()} loop`);
  let depth = 1;
  const tags = /{{#each [^}]*}}|{{\/each}}/g;
  tags.lastIndex = start + open.length;
  for (let tag = tags.exec(mainSource); tag; tag = tags.exec(mainSource)) {
    depth += tag[0] === '{{/each}}' ? -1 : 1;
    if (depth === 0) return mainSource.slice(start + open.length, tag.index);
  }
  throw new Error(`internal: nginx.conf.hbs: ${open.trim()} is not closed`);
}

const loop = <T>(name: string) => {
  const template = handlebars.compile<T>(loopBody(name), options);
  return (item: T): string => trimLines(template(item));
};
const renderMap = loop<MapView>('maps');
const renderUpstream = loop<UpstreamView>('upstreams');
const renderSplit = loop<SplitView>('splits');
const renderServer = loop<ServerView>('servers');
const renderers = { map: renderMap, split: renderSplit };

/** A map that stands for the four loops' items, to find where they go. */
const MARKER: MapView = {
  comment: 'gateplane: blocks go here',
  input: literal(''),
  variable: '$gp_marker',
  entries: [],
  fallback: literal(''),
};
const markerText = renderMap(MARKER);

/**
 * The shared server of a port's plain hosts (hostMap.ts) and its map: one line per host in each,
 * thousands of them. Both are rendered for one stand-in host, and its two lines are then written
 * once per real host with its own name and upstream: the same text as rendering them all, without
 * running the template and the quoting for every host at every change.
 */
const STAND_IN: MappedHost = { hostname: 'gp-stand-in.invalid', upstream: 'gp_stand_in' };
const quotedName = memoized((host: VirtualHost) => nginxQuote(host.hostname));

function renderHostMap(
  port: HttpListenerPort,
  mapped: ReadonlyMap<VirtualHost, string>,
  listen: PortListen,
  declarations: Declarations,
): { server: string; map: string } {
  const declared = declarations.maps.length;
  const server = renderServer(hostMapServer(port, [STAND_IN], listen, declarations, mapped.size));
  const [map, ...more] = declarations.maps.slice(declared);
  if (!map || more.length > 0) throw new Error('internal: a shared server declares one map');
  const quotedUpstreams = new Map<string, string>();
  const rows = [...mapped].map(([host, upstream]) => {
    const name = quotedName(host);
    let value = quotedUpstreams.get(upstream);
    if (value === undefined) quotedUpstreams.set(upstream, (value = nginxQuoteExpression(literal(upstream))));
    return [name, value] as const;
  });
  const standInName = nginxQuote(STAND_IN.hostname);
  const standInValue = nginxQuoteExpression(literal(STAND_IN.upstream));
  return {
    server: repeatLine(
      server,
      [standInName],
      rows.map(([name]) => [name]),
    ),
    map: repeatLine(renderMap(map), [standInName, standInValue], rows),
  };
}

/**
 * `text` with its one line holding `markers` (in that order) written once per row, each row's
 * tokens in place of the markers.
 */
function repeatLine(text: string, markers: readonly string[], rows: readonly (readonly string[])[]): string {
  const [first = ''] = markers;
  const at = text.indexOf(first);
  if (first === '' || at < 0 || text.indexOf(first, at + 1) >= 0)
    throw new Error(`internal: ${first} is not on exactly one line`);
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at) + 1;
  let rest = text.slice(start, end);
  const pieces: string[] = [];
  for (const marker of markers) {
    const i = rest.indexOf(marker);
    if (i < 0) throw new Error(`internal: ${marker} is not on the line of ${first}`);
    pieces.push(rest.slice(0, i));
    rest = rest.slice(i + marker.length);
  }
  pieces.push(rest);
  let lines = '';
  for (const row of rows) {
    let line = pieces[0] ?? '';
    row.forEach((token, i) => (line += token + (pieces[i + 1] ?? '')));
    lines += line;
  }
  return text.slice(0, start) + lines + text.slice(end);
}

/** The main file around the blocks. */
function frame(view: Omit<NginxView, 'upstreams' | 'maps' | 'splits' | 'servers'>): [string, string] {
  const text = trimLines(mainTemplate({ ...view, maps: [MARKER], upstreams: [], splits: [], servers: [] }));
  const at = text.indexOf(markerText);
  if (
    at < 0 ||
    text.indexOf(markerText, at + 1) >= 0 ||
    !markerText.startsWith('\n') ||
    !markerText.endsWith('\n')
  )
    throw new Error('internal: nginx.conf.hbs: cannot place the blocks');
  return [text.slice(0, at), text.slice(at + markerText.length)];
}

interface ServerEntry {
  /** Upstreams the build looked up, with what it saw (`upstreamState`). */
  readonly reads: readonly (readonly [string, string])[];
  readonly steps: readonly Step[];
  readonly text: Parts;
}

/** Fragments of one Gateway's last render: a render keeps only what it used. */
interface FragmentCache {
  servers: Map<string, ServerEntry>;
  upstreams: Map<string, string>;
}

/** One cache per Gateway (a process may render several), for the most recently rendered ones. */
const caches = new Map<string, FragmentCache>();
const MAX_CACHES = 16;

function cacheFor(model: GatewayModel): FragmentCache {
  const key = JSON.stringify([model.gateway.namespace, model.gateway.name]);
  const cache = caches.get(key) ?? { servers: new Map(), upstreams: new Map() };
  caches.delete(key);
  caches.set(key, cache);
  for (const oldest of caches.keys()) {
    if (caches.size <= MAX_CACHES) break;
    caches.delete(oldest);
  }
  return cache;
}

/** Drop every cached fragment (tests compare cold and warm renders). */
export function clearNginxCache(): void {
  caches.clear();
}

/** How much the cache holds, for tests. */
export function nginxCacheSize(): { gateways: number; servers: number; upstreams: number } {
  let servers = 0;
  let upstreams = 0;
  for (const cache of caches.values()) {
    servers += cache.servers.size;
    upstreams += cache.upstreams.size;
  }
  return { gateways: caches.size, servers, upstreams };
}

export function renderNginx(model: GatewayModel, target: RenderTarget): RenderedConfig {
  // JSON of every virtual host and upstream: the cache keys, and most of the hash's input.
  const json = new Map<object, string>();
  for (const port of model.ports) for (const host of port.virtualHosts) json.set(host, jsonOf(host));
  for (const upstream of model.upstreams) json.set(upstream, jsonOf(upstream));
  // Placeholders are NUL-delimited; a model holding NUL anywhere (it would be refused, or is
  // broken) takes the reference path, whose errors are the ones to report.
  for (const text of json.values()) if (text.includes('\\u0000')) return renderNginxUncached(model, target);
  const hash = renderHash(digest, model, target);
  return rendered(model, hash, () => assemble(model, target, hash, json));
}

function assemble(
  model: GatewayModel,
  target: RenderTarget,
  hash: string,
  json: ReadonlyMap<object, string>,
): string {
  const cache = cacheFor(model);
  const used: FragmentCache = { servers: new Map(), upstreams: new Map() };
  const upstreams = new Map<string, Upstream>(model.upstreams.map((u) => [u.name, u]));
  const tls = tlsContext(model, target);
  const declarations = new Declarations();
  const blocks: Blocks = { maps: [], splits: [] };
  const servers: string[] = [];
  const generation = generationOf(hash);
  for (const port of model.ports) {
    const listen = portListen(target.bindAddress, port.port, generation);
    // Host servers are kept across configurations, so they are built with the generation left
    // as a placeholder.
    const cachedListen = portListen(target.bindAddress, port.port, GENERATION_PLACEHOLDER);
    const portKey = JSON.stringify([listen.address, port.protocol, port.port]);
    const hostTexts: string[] = [];
    const mapped = mappedHosts(port, upstreams);
    for (const host of port.virtualHosts) {
      if (mapped.has(host)) continue;
      // Also checks that the host's certificates exist, as building the block would.
      const certificates = serverCertificates(port, host, tls);
      const key = `${portKey}${JSON.stringify(certificates)}${json.get(host)}`;
      let entry = used.servers.get(key) ?? cache.servers.get(key);
      if (!entry || !entry.reads.every(([name, state]) => upstreamState(upstreams.get(name)) === state)) {
        const recorder = new Recorder(renderers);
        const reads: [string, string][] = [];
        const lookup = {
          get(name: string): Upstream | undefined {
            const upstream = upstreams.get(name);
            reads.push([name, upstreamState(upstream)]);
            return upstream;
          },
        } as ReadonlyMap<string, Upstream>;
        const view = hostServer(port, host, cachedListen, { upstreams: lookup, declarations: recorder, tls });
        entry = { reads, steps: recorder.steps, text: toParts(renderServer(view)) };
      }
      used.servers.set(key, entry);
      const names: (string | undefined)[] = [];
      replay(entry.steps, declarations, blocks, names);
      hostTexts.push(fill(entry.text, names, generation));
    }
    // Built after the port's hosts, as serversForPort does, so errors come in the same order.
    const notFound = notFoundServer(port, listen, tls);
    if (notFound) servers.push(renderServer(notFound));
    servers.push(...hostTexts);
    if (mapped.size > 0) {
      const shared = renderHostMap(port, mapped, listen, declarations);
      servers.push(shared.server);
      blocks.maps.push(shared.map);
    }
  }
  // Only now: a render that fails keeps the previous fragments for the next attempt.
  cache.servers = used.servers;
  const upstreamTexts = declaredUpstreams(model).map((upstream) => {
    const key = json.get(upstream) ?? JSON.stringify(upstream);
    const text =
      used.upstreams.get(key) ?? cache.upstreams.get(key) ?? renderUpstream(upstreamView(upstream));
    used.upstreams.set(key, text);
    return text;
  });
  cache.upstreams = used.upstreams;
  const [before, after] = frame(globalView(model, target, hash, blocks.maps.length + blocks.splits.length));
  return [before, ...blocks.maps, ...upstreamTexts, ...blocks.splits, ...servers, after].join('');
}
