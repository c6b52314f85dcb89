/**
 * The flat view-model the HAProxy templates walk: every decision about what haproxy.cfg says is
 * made here and in the modules this one assembles (match.ts, actions.ts, redirect.ts, tls.ts), in
 * TypeScript, so templates only loop, test booleans, and quote.
 *
 * Strings marked "user" reach the template raw and are written through `haquote`; everything else
 * is built from model identifiers (SAFE_IDENTIFIER), numbers, or our own literals.
 *
 * How a request is routed, per listener port (one HTTP `frontend` each; HTTPS ports first go
 * through the SNI router of tls.ts):
 * 1. `txn.host` = Host header, lowercased, `:port` removed.
 * 2. `txn.vhost` = index of the first virtual host whose hostname matches (model order is
 *    already exact, then longest wildcard, then `*`).
 * 3. `txn.h<i>`, `txn.q<i>` = the first value of each header and query parameter rules test.
 * 4. `txn.rule` = id of the first rule of that virtual host whose whole match holds (model order
 *    is the spec's precedence).
 * 5. No rule: 404. Else the rule's steps (actions.ts): a draw into `txn.pick` for rules that
 *    split traffic, a fixed answer, a redirect, header changes; then `use_backend` by rule and draw.
 * Each step sets its variable once ("if !{ var(...) -m found }"), so the first match wins.
 *
 * Steps that cannot matter are left out (each variable costs every request a sample fetch and a
 * store: measured ~7 % of a one-route proxy's CPU per request):
 * - one virtual host: no `txn.vhost`; its hostname test goes on each rule's line instead.
 * - "direct" ports, where every rule is a plain forward (one backend, no header changes, so no
 *   step reads `txn.rule`): no `txn.rule` either. Each rule's line is its `use_backend`, with the
 *   same conditions in the same order (HAProxy takes the first `use_backend` that holds, as the
 *   first `set-var(txn.rule)` wins), and a request no line takes goes to the `no-route` backend,
 *   which answers the same 404.
 * - a direct port with one virtual host and at most one rule line, or the catch-all `*`: no
 *   `txn.host`; the Host expression is read in the one condition that needs it.
 *
 * Hosts that fit maps (maps.ts: exact hostname, rules that match a path only and forward) skip
 * all of the above on ports with several virtual hosts: before step 2, `txn.mapped` = the backend
 * found by two map lookups, which a first `use_backend` takes; the virtual host lines of the
 * other hosts do not run for such a request. Rule lines remain for the other hosts: every
 * request walks every selection line of its port, and every use_backend line up to its own, so
 * their cost grows linearly with their number (measured on one thread: ~100k requests/s with 10
 * rules, ~4k with 1,000, ~250 with 10,000), where a mapped host's costs the same with 1 or 3,000.
 */
import net from 'node:net';
import type {
  GatewayModel,
  HttpListenerPort,
  RouteRule,
  Upstream,
  VirtualHost,
} from '../../operator/model/types.js';
import { formatName } from '../../operator/model/names.js';
import { statusSocketPath, type RenderTarget } from '../driver.js';
import {
  INVALID_BACKEND,
  actionView,
  dispatchView,
  hasSteps,
  plainForwardBackend,
  type ActionView,
  type DispatchView,
} from './actions.js';
import {
  NO_ROUTE_BACKEND,
  frontendName,
  mapFilePath,
  portMaps,
  type MapKind,
  type PortMaps,
} from './maps.js';
import {
  Inputs,
  hostnameCondition,
  selectionView,
  type ConditionView,
  type InputView,
  type SelectionView,
} from './match.js';
import { commentText, sampleArg } from './quote.js';
import { PLACEHOLDER_ADDRESS, PLACEHOLDER_PORT, hostForAddress, slotCapacity, slotName } from './slots.js';
import { tlsListener, type BindView, type TlsRouterView } from './tls.js';

// Our own proxy names (`invalid-backend`, `http-<port>`, `https-<port>`, `tls-<port>[-<n>]`,
// `status`) have no `_`, and every model upstream name has one (`<ns>_<svc>_<port>`), so they
// can never collide.

export interface HaproxyView {
  readonly gateway: string;
  readonly global: GlobalView;
  /** user: `unix@<runtimeDir>/status.sock`. */
  readonly statusBind: string;
  /** sha256, hex: written unquoted into `str(...)` of the global `set-var`. */
  readonly hash: string;
  readonly tlsRouters: readonly TlsRouterView[];
  readonly frontends: readonly FrontendView[];
  /** Each upstream's backend section, rendered (render.ts renders each once per upstream object). */
  readonly backends: readonly string[];
  readonly invalidBackend: string;
  /** Whether some port is direct or has maps, and so sends unmatched requests to the 404 backend. */
  readonly hasNoRouteBackend: boolean;
  readonly noRouteBackend: string;
  /** The route maps of every port that has some (maps.ts), relative to the runtime directory. */
  readonly mapFiles: readonly MapFileView[];
}

export interface MapFileView {
  readonly path: string;
  readonly content: string;
}

export interface GlobalView {
  /** user (runtime paths) */
  readonly pidFile: string;
  readonly adminSocket: string;
  readonly hardStopAfter: string;
  readonly hasNbthread: boolean;
  readonly nbthread: number;
}

export interface FrontendView {
  readonly name: string;
  readonly port: number;
  readonly binds: readonly BindView[];
  /** Whether `txn.host` is set: see the top of this file. */
  readonly hasHostVariable: boolean;
  /** Empty when the port has one virtual host (then rule lines test its hostname themselves). */
  readonly hosts: readonly HostView[];
  readonly inputs: readonly InputView[];
  /** The port's map lookups, when some of its hosts are mapped (maps.ts). */
  readonly maps: MapLookupView | undefined;
  /** Every rule is a plain forward: `rules` hold `use_backend` lines; no selection, action, dispatch. */
  readonly isDirect: boolean;
  readonly rules: readonly RuleLineView[];
  readonly actions: readonly ActionView[];
  readonly dispatches: readonly DispatchView[];
}

export interface MapLookupView {
  /** user: sample expressions holding the map files' absolute paths. */
  readonly exact: string;
  readonly prefix: string;
}

/** One rule of one virtual host: a `set-var(txn.rule)` line, or in a direct port its `use_backend`. */
export interface RuleLineView extends RuleLabel {
  /** The virtual host test: `txn.vhost`, the hostname itself, or nothing for a lone `*`. */
  readonly hostConditions: readonly ConditionView[];
  /** Every condition of the line (host ones first), for a direct port's `use_backend`. */
  readonly conditions: readonly ConditionView[];
  /** The rule's own conditions (path, method, headers, query). */
  readonly matchConditions: readonly ConditionView[];
  readonly hasConditions: boolean;
  /** Direct ports only: the rule's one backend. */
  readonly backend: string;
}

export interface HostView {
  readonly index: number;
  /** user: the model hostname, shown quoted in a comment. */
  readonly hostname: string;
  /** Empty for the catch-all `*`. */
  readonly conditions: readonly ConditionView[];
}

/** What every block that belongs to one rule shows in its `# route ...` comment. */
export interface RuleLabel {
  readonly id: string;
  readonly route: string;
  readonly rule: number;
  readonly match: number;
}

export interface BackendView {
  readonly name: string;
  readonly service: string;
  readonly port: number;
  readonly isEmpty: boolean;
  /** The endpoints, then `disabled` placeholders up to the slot capacity (slots.ts). */
  readonly servers: readonly ServerView[];
}

export interface ServerView {
  readonly name: string;
  /** user */
  readonly address: string;
  readonly isPlaceholder: boolean;
}

export function buildView(
  model: GatewayModel,
  target: RenderTarget,
  hash: string,
  backendText: (upstream: Upstream) => string,
): HaproxyView {
  const mapFiles: MapFileView[] = [];
  const ports = model.ports.map((port) => portView(port, target, model, mapFiles));
  return {
    gateway: commentText(formatName(model.gateway)),
    global: {
      pidFile: `${target.runtimeDir}/haproxy.pid`,
      adminSocket: `${target.runtimeDir}/admin.sock`,
      hardStopAfter: hardStopAfter(model.settings.drainTimeoutSeconds),
      // Undefined: let HAProxy 2.6 start one thread per CPU it may run on, its own default.
      hasNbthread: model.settings.workers !== undefined,
      nbthread: model.settings.workers ?? 0,
    },
    statusBind: `unix@${statusSocketPath(target.runtimeDir)}`,
    hash,
    tlsRouters: ports.flatMap((port) => (port.router ? [port.router] : [])),
    frontends: ports.map((port) => port.frontend),
    backends: model.upstreams.map(backendText),
    invalidBackend: INVALID_BACKEND,
    hasNoRouteBackend: ports.some((port) => port.frontend.isDirect || port.frontend.maps !== undefined),
    noRouteBackend: NO_ROUTE_BACKEND,
    mapFiles,
  };
}

/** The Host header, lowercased, without a `:port` suffix: what `txn.host` holds (frontend.hbs). */
const HOST_EXPRESSION = 'req.fhdr(host),lower,regsub(:[0-9]+$,)';

/** HAProxy time syntax takes integers only; `hard-stop-after 0` would mean "no limit" to it. */
function hardStopAfter(seconds: number): string {
  if (Number.isInteger(seconds) && seconds > 0) return `${seconds}s`;
  return `${Math.max(1, Math.round(seconds * 1000))}ms`;
}

function portView(
  port: HttpListenerPort,
  target: RenderTarget,
  model: GatewayModel,
  mapFiles: MapFileView[],
): { frontend: FrontendView; router?: TlsRouterView } {
  const publicBind = `${hostForAddress(target.bindAddress)}:${port.port}`;
  const https = port.protocol === 'HTTPS';
  const tls = https ? tlsListener(port, target, model.certificates, publicBind) : undefined;
  const listener = { port: port.port, scheme: https ? 'https' : 'http' } as const;
  const name = frontendName(port);
  const maps = portMaps(port);
  const mapped = maps?.mapped ?? [];
  const inputs = new Inputs();
  const selections: SelectionView[] = [];
  // A route attached to several hostnames puts the same rule (same id, same action) in several
  // virtual hosts: select it from each, but declare its steps and dispatch once.
  const distinct = new Map<string, { label: RuleLabel; rule: RouteRule }>();
  port.virtualHosts.forEach((host, vhost) => {
    if (mapped[vhost]) return;
    for (const rule of host.rules) {
      const known = distinct.get(rule.id);
      const label = known?.label ?? ruleLabel(rule);
      selections.push(selectionView(label, rule, vhost, inputs));
      if (!known) distinct.set(rule.id, { label, rule });
    }
  });
  const rules = [...distinct.values()];
  const direct = new Map(rules.map(({ label, rule }) => [label.id, plainForwardBackend(rule)]));
  const isDirect = [...direct.values()].every((backend) => backend !== undefined);
  const { hasHostVariable, singleHost, ruleLines } = routingLines(port, selections, direct, isDirect);
  const frontend: FrontendView = {
    name,
    port: port.port,
    binds: tls ? tls.binds : [{ address: publicBind, isTls: false, certFiles: [] }],
    hasHostVariable,
    hosts:
      singleHost !== undefined
        ? []
        : port.virtualHosts.flatMap((host, index) => {
            if (mapped[index]) return [];
            const condition = hostnameCondition('var(txn.host)', host.hostname);
            return [{ index, hostname: host.hostname, conditions: condition ? [condition] : [] }];
          }),
    inputs: inputs.list(),
    maps: maps ? mapLookups(name, maps, target, mapFiles) : undefined,
    isDirect,
    rules: ruleLines,
    actions: isDirect
      ? []
      : rules.map(({ label, rule }) => actionView(label, rule, listener)).filter(hasSteps),
    dispatches: isDirect
      ? []
      : rules.flatMap(({ label, rule }) =>
          rule.action.kind === 'forward' ? [dispatchView(label, rule)] : [],
        ),
  };
  return tls ? { frontend, router: tls.router } : { frontend };
}

/** Add the port's map files to `files`; the lookups that read them. */
function mapLookups(
  frontend: string,
  maps: PortMaps,
  target: RenderTarget,
  files: MapFileView[],
): MapLookupView {
  const file = (kind: MapKind): string => {
    const content = maps.text(kind);
    const relative = mapFilePath(frontend, kind, content);
    files.push({ path: relative, content });
    return sampleArg(`${target.runtimeDir}/${relative}`);
  };
  return {
    exact: `var(txn.key),map_str(${file('exact')})`,
    prefix: `var(txn.key),map_beg(${file('prefix')})`,
  };
}

/** How a port's rule lines test the virtual host, and whether they need `txn.host` (top of file). */
function routingLines(
  port: HttpListenerPort,
  selections: readonly SelectionView[],
  direct: ReadonlyMap<string, string | undefined>,
  isDirect: boolean,
): { hasHostVariable: boolean; singleHost: VirtualHost | undefined; ruleLines: RuleLineView[] } {
  const [onlyHost, ...otherHosts] = port.virtualHosts;
  const singleHost = onlyHost !== undefined && otherHosts.length === 0 ? onlyHost : undefined;
  const hasHostVariable = !(
    isDirect &&
    singleHost !== undefined &&
    (selections.length <= 1 || hostnameCondition('', singleHost.hostname) === undefined)
  );
  const hostFetch = hasHostVariable ? 'var(txn.host)' : HOST_EXPRESSION;
  const hostConditions = (vhost: number): ConditionView[] => {
    if (singleHost === undefined)
      return [{ fetch: 'var(txn.vhost)', method: `int eq ${vhost}`, hasPattern: false, pattern: '' }];
    const condition = hostnameCondition(hostFetch, singleHost.hostname);
    return condition ? [condition] : [];
  };
  const ruleLines = selections.map(({ vhost, conditions, ...label }): RuleLineView => {
    const host = hostConditions(vhost);
    const all = [...host, ...conditions];
    return {
      ...label,
      hostConditions: host,
      conditions: all,
      matchConditions: conditions,
      hasConditions: all.length > 0,
      backend: direct.get(label.id) ?? '',
    };
  });
  return { hasHostVariable, singleHost, ruleLines };
}

function ruleLabel(rule: RouteRule): RuleLabel {
  const { route, rule: ruleIndex, match } = rule.source;
  return { id: rule.id, route: commentText(formatName(route)), rule: ruleIndex, match };
}

export function backendView(upstream: Upstream): BackendView {
  return {
    name: upstream.name,
    service: commentText(formatName(upstream.service)),
    port: upstream.port,
    // HAProxy answers 503 itself when a backend has no usable server, which is what Gateway API
    // asks for: here every slot is a disabled placeholder.
    isEmpty: upstream.endpoints.length === 0,
    servers: serverSlots(upstream),
  };
}

function serverSlots(upstream: Upstream): ServerView[] {
  const endpoints = upstream.endpoints.map((endpoint, index) => {
    // An address that is not an IP literal would make HAProxy resolve it through DNS at start.
    if (net.isIP(endpoint.address) !== (endpoint.family === 'IPv6' ? 6 : 4)) {
      throw new Error(
        `internal: upstream ${upstream.name} endpoint ${JSON.stringify(endpoint.address)} is not an ${endpoint.family} address`,
      );
    }
    const address = `${hostForAddress(endpoint.address)}:${endpoint.port}`;
    return { name: slotName(index), address, isPlaceholder: false };
  });
  const placeholders = Array.from(
    { length: slotCapacity(endpoints.length) - endpoints.length },
    (_, offset) => ({
      name: slotName(endpoints.length + offset),
      address: `${PLACEHOLDER_ADDRESS}:${PLACEHOLDER_PORT}`,
      isPlaceholder: true,
    }),
  );
  return [...endpoints, ...placeholders];
}
