/**
 * Where a `forward` action sends requests: a fixed status, a plain `proxy_pass` to one upstream,
 * or a weighted choice made by `split_clients`.
 *
 * The weighted choice avoids njs and Lua: `split_clients` hashes `$request_id` (random per
 * request) into percentage buckets and sets a variable to an upstream name, or to a marker for a
 * share that must fail. `proxy_pass http://$var` then needs no resolver: when a variable's value
 * is the name of an `upstream{}` block (no port, no URI part), nginx uses that block, and with no
 * URI part the request URI is passed exactly as the client sent it.
 */
import type { Upstream, WeightedBackend } from '../../operator/model/types.js';
import type { SplitShare } from './declarations.js';

/** What a share of requests gets: an upstream block by name, or a fixed status. */
type Target = { readonly upstream: string } | { readonly status: 500 | 503 };

export interface MarkerGuard {
  readonly variable: string;
  readonly marker: string;
  readonly status: number;
}

/** Where a forward sends the request: a fixed status for every request, or a proxy_pass target. */
export type ForwardTarget =
  | { readonly respond: number }
  | {
      /** The `proxy_pass http://` target: an upstream name or a split variable. */
      readonly proxyPass: string;
      /** `if ($var = marker) { return status; }` lines that run before a variable proxy_pass. */
      readonly guards: readonly MarkerGuard[];
    };

/**
 * Marker values for shares that must fail. Upstream names match SAFE_IDENTIFIER (they start with
 * `[a-z0-9]`), so a leading `!` can never name an upstream; the guards `return` before
 * `proxy_pass` ever sees a marker.
 */
const MARKERS = { 500: '!500', 503: '!503' } as const;

/** nginx's split_clients works in hundredths of a percent. */
const SPLIT_RESOLUTION = 10_000;

function targetOf(backend: WeightedBackend, upstreams: ReadonlyMap<string, Upstream>): Target {
  if (backend.kind === 'invalid') return { status: 500 };
  const upstream = upstreams.get(backend.upstream);
  if (!upstream) throw new Error(`internal: rule forwards to undeclared upstream ${backend.upstream}`);
  // nginx refuses an `upstream{}` with no server, so an empty upstream is never declared: its
  // share answers 503 instead, as the model asks.
  return upstream.endpoints.length === 0 ? { status: 503 } : { upstream: upstream.name };
}

function targetKey(target: Target): string {
  return 'upstream' in target ? target.upstream : MARKERS[target.status];
}

/**
 * Backends with the same target are merged (two invalid refs are one 500 share) and zero weights
 * dropped, in first-appearance order, so a single remaining target needs no split at all.
 */
function groupTargets(backends: readonly WeightedBackend[], upstreams: ReadonlyMap<string, Upstream>) {
  const groups = new Map<string, { target: Target; weight: number }>();
  for (const backend of backends) {
    if (backend.weight <= 0) continue;
    const target = targetOf(backend, upstreams);
    const group = groups.get(targetKey(target));
    if (group) group.weight += backend.weight;
    else groups.set(targetKey(target), { target, weight: backend.weight });
  }
  return [...groups.values()];
}

/**
 * Percentages floored to nginx's 0.01% resolution, the last share taking the rest (`*`), so the
 * shares always add up to 100%. A share below 0.01% of the total cannot be written (nginx refuses
 * `0%`) and is dropped.
 */
function shares(groups: readonly { target: Target; weight: number }[]): SplitShare[] {
  const total = groups.reduce((sum, group) => sum + group.weight, 0);
  return groups.flatMap((group, index): SplitShare[] => {
    if (index === groups.length - 1) return [{ percent: '*', value: targetKey(group.target) }];
    const hundredths = Math.floor((group.weight * SPLIT_RESOLUTION) / total);
    if (hundredths === 0) return [];
    return [{ percent: `${(hundredths / 100).toFixed(2)}%`, value: targetKey(group.target) }];
  });
}

export interface BackendContext {
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** Called when the backends need a split_clients block; returns the variable it sets. */
  readonly declareSplit: (shares: readonly SplitShare[]) => string;
}

export function forwardTarget(backends: readonly WeightedBackend[], context: BackendContext): ForwardTarget {
  const groups = groupTargets(backends, context.upstreams);
  // The model promises a positive total weight; without one, fail closed like an invalid ref.
  if (groups.length === 0) return { respond: 500 };
  const only = groups.length === 1 ? groups[0]?.target : undefined;
  if (only) return 'upstream' in only ? { proxyPass: only.upstream, guards: [] } : { respond: only.status };
  const split = shares(groups);
  const variable = context.declareSplit(split);
  const statuses = [500, 503] as const;
  const guards = statuses
    .filter((status) => split.some((share) => share.value === MARKERS[status]))
    .map((status) => ({ variable, marker: MARKERS[status], status }));
  return { proxyPass: variable, guards };
}
