/**
 * The flat view-model the HAProxy templates walk: every decision about what haproxy.cfg says is
 * made here, in TypeScript, so templates only loop, test booleans, and quote.
 *
 * Strings marked "user" reach the template raw and are written through `haquote`; everything else
 * is built from model identifiers (SAFE_IDENTIFIER), numbers, or our own literals.
 *
 * How a request is routed, per listener port (one `frontend` each):
 * 1. `txn.host` = Host header, lowercased, `:port` removed.
 * 2. `txn.vhost` = index of the first virtual host whose hostname matches (model order is
 *    already exact, then longest wildcard, then `*`).
 * 3. `txn.rule` = id of the first rule of that virtual host whose path matches (model order is the
 *    spec's precedence).
 * 4. `txn.pick` = one random draw in [0, total weight) for rules that split traffic.
 * 5. No rule: 404. A fixedResponse rule: its status. Else `use_backend` by rule and draw.
 * Each step sets its variable once ("if !{ var(...) -m found }"), so the first match wins.
 *
 * FIXME: every request walks every selection line of its port, and every use_backend line up
 * to its own: cost grows linearly with the number of rules (measured on one thread: ~100k
 * requests/s with 10 rules, ~4k with 1,000, ~250 with 10,000). A map-based fast path (exact
 * hosts with map_str, one lookup per virtual host for plain path rules, `use_backend
 * %[var(txn.rule),map(...)]`) would make it constant where the rule order allows.
 */
import net from 'node:net';
import type {
  GatewayModel,
  HttpListenerPort,
  PathMatch,
  RouteRule,
  Upstream,
  WeightedBackend,
} from '../../operator/model/types.js';
import { formatName } from '../../operator/model/names.js';
import { statusSocketPath, type RenderTarget } from '../driver.js';
import { commentText } from './quote.js';

// Our own proxy names (`invalid-backend`, `http-<port>`, `status`) have no `_`, and every model
// upstream name has one (`<ns>_<svc>_<port>`), so they can never collide.

/** Answers 500 for the share of requests that belongs to a backendRef that did not resolve. */
export const INVALID_BACKEND = 'invalid-backend';

function frontendName(port: number): string {
  return `http-${port}`;
}

export interface HaproxyView {
  readonly gateway: string;
  readonly global: GlobalView;
  /** user: `unix@<runtimeDir>/status.sock`. */
  readonly statusBind: string;
  readonly hash: string;
  readonly frontends: readonly FrontendView[];
  readonly backends: readonly BackendView[];
  readonly invalidBackend: string;
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
  /** user: `<address>:<port>`. */
  readonly bind: string;
  readonly hosts: readonly HostView[];
  readonly selections: readonly SelectionView[];
  readonly actions: readonly ActionView[];
  readonly dispatches: readonly DispatchView[];
}

export interface HostView {
  readonly index: number;
  /** user: the model hostname, shown quoted in a comment. */
  readonly hostname: string;
  /** False for the catch-all `*`, which needs no condition. */
  readonly hasCondition: boolean;
  /** Match method: `str` (exact) or `end` (wildcard suffix). */
  readonly method: string;
  /** user */
  readonly pattern: string;
}

/** Lines shared by every block that belongs to one rule, for the `# route ...` comment. */
interface RuleLabel {
  readonly id: string;
  readonly route: string;
  readonly rule: number;
  readonly match: number;
}

export interface SelectionView extends RuleLabel {
  readonly vhost: number;
  /** False for PathPrefix `/`, which matches every path. */
  readonly hasPathCondition: boolean;
  /** The sample fetch, with converters, that the path condition tests. */
  readonly pathFetch: string;
  readonly pathMethod: string;
  /** user */
  readonly pathPattern: string;
}

/** An http-request step a rule needs after selection: a draw, or a fixed answer. */
export interface ActionView extends RuleLabel {
  readonly hasPick: boolean;
  readonly pickRange: number;
  readonly hasFixedStatus: boolean;
  readonly status: number;
}

export interface DispatchView extends RuleLabel {
  readonly shares: readonly ShareView[];
}

export interface ShareView {
  readonly backend: string;
  readonly hasPick: boolean;
  /** The share serves draws below this bound (cumulative weight). */
  readonly below: number;
}

export interface BackendView {
  readonly name: string;
  readonly service: string;
  readonly port: number;
  readonly isEmpty: boolean;
  readonly servers: readonly { readonly name: string; /** user */ readonly address: string }[];
}

export function buildView(model: GatewayModel, target: RenderTarget, hash: string): HaproxyView {
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
    frontends: model.ports.map((port) => frontendView(port, target)),
    backends: model.upstreams.map(backendView),
    invalidBackend: INVALID_BACKEND,
  };
}

/** HAProxy time syntax takes integers only; `hard-stop-after 0` would mean "no limit" to it. */
function hardStopAfter(seconds: number): string {
  if (Number.isInteger(seconds) && seconds > 0) return `${seconds}s`;
  return `${Math.max(1, Math.round(seconds * 1000))}ms`;
}

function frontendView(port: HttpListenerPort, target: RenderTarget): FrontendView {
  const selections: SelectionView[] = [];
  // A route attached to several hostnames puts the same rule (same id, same action) in several
  // virtual hosts: select it from each, but declare its draw, answer and dispatch once.
  const distinct = new Map<string, RouteRule>();
  port.virtualHosts.forEach((host, vhost) => {
    host.rules.forEach((rule) => {
      selections.push(selectionView(rule, vhost));
      if (!distinct.has(rule.id)) distinct.set(rule.id, rule);
    });
  });
  const rules = [...distinct.values()];
  return {
    name: frontendName(port.port),
    port: port.port,
    bind: `${hostForAddress(target.bindAddress)}:${port.port}`,
    hosts: port.virtualHosts.map((host, index) => hostView(host.hostname, index)),
    selections,
    actions: rules.map(actionView).filter((a) => a.hasPick || a.hasFixedStatus),
    dispatches: rules.flatMap((rule) => (rule.action.kind === 'forward' ? [dispatchView(rule)] : [])),
  };
}

function hostView(hostname: string, index: number): HostView {
  // Hostnames are case-insensitive and txn.host is lowercased, so compare lowercase to lowercase.
  const lower = hostname.toLowerCase();
  if (lower === '*') return { index, hostname, hasCondition: false, method: 'str', pattern: lower };
  // `*.example.com` matches one or more labels before `.example.com`, never `example.com`
  // itself: a suffix match on `.example.com` is exactly that.
  const wildcard = lower.startsWith('*.');
  const pattern = conditionPattern(wildcard ? lower.slice(1) : lower);
  return { index, hostname, hasCondition: true, method: wildcard ? 'end' : 'str', pattern };
}

function label(rule: RouteRule): RuleLabel {
  const { route, rule: ruleIndex, match } = rule.source;
  return { id: rule.id, route: commentText(formatName(route)), rule: ruleIndex, match };
}

function selectionView(rule: RouteRule, vhost: number): SelectionView {
  const path: PathMatch = rule.match.path;
  const base = { ...label(rule), vhost, hasPathCondition: true, pathFetch: 'path' };
  switch (path.type) {
    case 'Exact':
      return { ...base, pathMethod: 'str', pathPattern: conditionPattern(path.value) };
    case 'PathPrefix':
      if (path.value === '/')
        return { ...base, hasPathCondition: false, pathMethod: 'beg', pathPattern: '/' };
      // `/foo` must match `/foo` and `/foo/...`, never `/foobar`. With a `/` appended, the path
      // begins with `/foo/` in exactly those cases (`/foo/` becomes `/foo//`). One condition
      // rather than `== /foo || begins with /foo/`, whose OR would bind looser than the other
      // conditions of the line. The resolver trims a trailing slash from `value`.
      return {
        ...base,
        pathFetch: 'path,concat(/)',
        pathMethod: 'beg',
        pathPattern: conditionPattern(`${path.value}/`),
      };
  }
}

/**
 * A pattern for an anonymous `{ <fetch> -m <method> -- <pattern> }` condition. `--` keeps a
 * pattern that looks like a flag a literal, but HAProxy closes the braces at the first word that
 * is exactly `}`, quoted or not. Paths start with `/` and hostnames are DNS names, so only a
 * broken model gets here with one. (Anonymous rather than named ACLs: HAProxy looks names up in
 * a list, and 10,000 named ACLs made `haproxy -c` take 21 s instead of under a second.)
 */
function conditionPattern(value: string): string {
  if (value === '}') throw new Error('internal: a hostname or path pattern cannot be "}"');
  return value;
}

function actionView(rule: RouteRule): ActionView {
  const base = { ...label(rule), hasPick: false, pickRange: 0, hasFixedStatus: false, status: 0 };
  switch (rule.action.kind) {
    case 'fixedResponse':
      // Checked by `haproxy -c`, which rejects codes it cannot send; validate() maps that back here.
      return { ...base, hasFixedStatus: true, status: rule.action.status };
    case 'forward': {
      const shares = positiveShares(rule.action.backends);
      // `rand` is evaluated again at every use, so draw once per request into txn.pick.
      // A single share needs no draw at all.
      return shares.length > 1 ? { ...base, hasPick: true, pickRange: totalWeight(shares) } : base;
    }
  }
}

function dispatchView(rule: RouteRule): DispatchView {
  const backends = rule.action.kind === 'forward' ? positiveShares(rule.action.backends) : [];
  // The model promises a positive total; if it ever is not, answer 500 like an unresolved ref
  // rather than fall through to HAProxy's "no backend" 503.
  if (backends.length === 0)
    return { ...label(rule), shares: [{ backend: INVALID_BACKEND, hasPick: false, below: 0 }] };
  let below = 0;
  const shares = backends.map((backend) => {
    below += backend.weight;
    // use_backend lines are tried in order: draws below the running sum go to this share.
    return {
      backend: backend.kind === 'upstream' ? backend.upstream : INVALID_BACKEND,
      hasPick: backends.length > 1,
      below,
    };
  });
  return { ...label(rule), shares };
}

/** Weight 0 means "no traffic": such a backend gets no line at all. */
function positiveShares(backends: readonly WeightedBackend[]): WeightedBackend[] {
  return backends.filter((backend) => backend.weight > 0);
}

function totalWeight(backends: readonly WeightedBackend[]): number {
  return backends.reduce((sum, backend) => sum + backend.weight, 0);
}

function backendView(upstream: Upstream): BackendView {
  return {
    name: upstream.name,
    service: commentText(formatName(upstream.service)),
    port: upstream.port,
    // HAProxy answers 503 itself when a backend has no server, which is what Gateway API asks for.
    isEmpty: upstream.endpoints.length === 0,
    servers: upstream.endpoints.map((endpoint, index) => {
      // An address that is not an IP literal would make HAProxy resolve it through DNS at start.
      if (net.isIP(endpoint.address) !== (endpoint.family === 'IPv6' ? 6 : 4)) {
        throw new Error(
          `internal: upstream ${upstream.name} endpoint ${JSON.stringify(endpoint.address)} is not an ${endpoint.family} address`,
        );
      }
      return { name: `ep${index}`, address: `${hostForAddress(endpoint.address)}:${endpoint.port}` };
    }),
  };
}

/** HAProxy reads `[::1]:80` as IPv6 address and port; a bare IPv6 address needs the brackets. */
function hostForAddress(address: string): string {
  return net.isIPv6(address) ? `[${address}]` : address;
}
