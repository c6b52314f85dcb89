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
 * FIXME: every request walks every selection line of its port, and every use_backend line up
 * to its own: cost grows linearly with the number of rules (measured on one thread: ~100k
 * requests/s with 10 rules, ~4k with 1,000, ~250 with 10,000). A map-based fast path (exact
 * hosts with map_str, one lookup per virtual host for plain path rules, `use_backend
 * %[var(txn.rule),map(...)]`) would make it constant where the rule order allows.
 */
import net from 'node:net';
import type { GatewayModel, HttpListenerPort, RouteRule, Upstream } from '../../operator/model/types.js';
import { formatName } from '../../operator/model/names.js';
import { statusSocketPath, type RenderTarget } from '../driver.js';
import {
  INVALID_BACKEND,
  actionView,
  dispatchView,
  hasSteps,
  type ActionView,
  type DispatchView,
} from './actions.js';
import {
  Inputs,
  hostnameCondition,
  selectionView,
  type ConditionView,
  type InputView,
  type SelectionView,
} from './match.js';
import { commentText } from './quote.js';
import { PLACEHOLDER_ADDRESS, PLACEHOLDER_PORT, slotCapacity, slotName } from './slots.js';
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
  readonly binds: readonly BindView[];
  readonly hosts: readonly HostView[];
  readonly inputs: readonly InputView[];
  readonly selections: readonly SelectionView[];
  readonly actions: readonly ActionView[];
  readonly dispatches: readonly DispatchView[];
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

export function buildView(model: GatewayModel, target: RenderTarget, hash: string): HaproxyView {
  const ports = model.ports.map((port) => portView(port, target, model));
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
    backends: model.upstreams.map(backendView),
    invalidBackend: INVALID_BACKEND,
  };
}

/** HAProxy time syntax takes integers only; `hard-stop-after 0` would mean "no limit" to it. */
function hardStopAfter(seconds: number): string {
  if (Number.isInteger(seconds) && seconds > 0) return `${seconds}s`;
  return `${Math.max(1, Math.round(seconds * 1000))}ms`;
}

function portView(
  port: HttpListenerPort,
  target: RenderTarget,
  model: GatewayModel,
): { frontend: FrontendView; router?: TlsRouterView } {
  const publicBind = `${hostForAddress(target.bindAddress)}:${port.port}`;
  const https = port.protocol === 'HTTPS';
  const tls = https ? tlsListener(port, target, model.certificates, publicBind) : undefined;
  const listener = { port: port.port, scheme: https ? 'https' : 'http' } as const;
  const inputs = new Inputs();
  const selections: SelectionView[] = [];
  // A route attached to several hostnames puts the same rule (same id, same action) in several
  // virtual hosts: select it from each, but declare its steps and dispatch once.
  const distinct = new Map<string, { label: RuleLabel; rule: RouteRule }>();
  port.virtualHosts.forEach((host, vhost) => {
    for (const rule of host.rules) {
      const known = distinct.get(rule.id);
      const label = known?.label ?? ruleLabel(rule);
      selections.push(selectionView(label, rule, vhost, inputs));
      if (!known) distinct.set(rule.id, { label, rule });
    }
  });
  const rules = [...distinct.values()];
  const frontend: FrontendView = {
    name: `${https ? 'https' : 'http'}-${port.port}`,
    port: port.port,
    binds: tls ? tls.binds : [{ address: publicBind, isTls: false, certFiles: [] }],
    hosts: port.virtualHosts.map((host, index) => {
      const condition = hostnameCondition('var(txn.host)', host.hostname);
      return { index, hostname: host.hostname, conditions: condition ? [condition] : [] };
    }),
    inputs: inputs.list(),
    selections,
    actions: rules.map(({ label, rule }) => actionView(label, rule, listener)).filter(hasSteps),
    dispatches: rules.flatMap(({ label, rule }) =>
      rule.action.kind === 'forward' ? [dispatchView(label, rule)] : [],
    ),
  };
  return tls ? { frontend, router: tls.router } : { frontend };
}

function ruleLabel(rule: RouteRule): RuleLabel {
  const { route, rule: ruleIndex, match } = rule.source;
  return { id: rule.id, route: commentText(formatName(route)), rule: ruleIndex, match };
}

function backendView(upstream: Upstream): BackendView {
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

/** HAProxy reads `[::1]:80` as IPv6 address and port; a bare IPv6 address needs the brackets. */
function hostForAddress(address: string): string {
  return net.isIPv6(address) ? `[${address}]` : address;
}
