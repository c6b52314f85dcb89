/**
 * HTTPRoute attachment: for each parentRef naming one of our Gateways, the listeners the route
 * attaches to and the hostnames it serves there, or the spec's reason it cannot attach. Also
 * resolves the route's backends once, since ResolvedRefs is the same for every parent.
 */
import { GATEWAY_GROUP } from '../api/gatewayApi.js';
import type { HTTPRoute } from '../api/kinds.js';
import type { StoreSnapshot } from '../store/index.js';
import { resolveBackendRef, type ResolvedBackend } from './backends.js';
import * as c from './conditions.js';
import type { ResolvedGateway, ResolvedListener } from './gateway.js';
import { headerModifier, redirectFor, requestMatch, unsupportedField } from './filters.js';
import { effectiveHostnames } from './hostnames.js';
import type { ParentReference } from './status.js';
import type { HeaderModifier, RequestMatch, RuleAction, Upstream, WeightedBackend } from './types.js';

export interface ListenerAttachment {
  readonly listener: ResolvedListener;
  /** Effective hostnames on this listener (`*` for any). */
  readonly hostnames: readonly string[];
}

export interface RouteParent {
  readonly gateway: ResolvedGateway;
  readonly parentRef: ParentReference;
  readonly accepted: c.Condition;
  /** Empty unless accepted. */
  readonly attachments: readonly ListenerAttachment[];
}

export interface MatchAction {
  readonly match: RequestMatch;
  readonly action: RuleAction;
}

export interface AttachedRoute {
  readonly route: HTTPRoute;
  readonly parents: readonly RouteParent[];
  /** Per rule in `spec.rules` order, per match: what the match is and what the rule does. */
  readonly rules: readonly (readonly MatchAction[])[];
  readonly resolvedRefs: c.Condition;
  /** Every Upstream the route's rules forward to. */
  readonly upstreams: readonly Upstream[];
}

export type GatewaysByName = ReadonlyMap<string, ResolvedGateway>;

export function gatewaysByName(gateways: readonly ResolvedGateway[]): GatewaysByName {
  return new Map(gateways.map((g) => [`${g.gateway.metadata.namespace}/${g.gateway.metadata.name}`, g]));
}

/** Undefined when no parentRef names one of our Gateways: another controller owns its status. */
export function attachHTTPRoute(
  snapshot: StoreSnapshot,
  route: HTTPRoute,
  byName: GatewaysByName,
): AttachedRoute | undefined {
  const parents = route.spec.parentRefs.flatMap((ref): RouteParent[] => {
    if (ref.group !== GATEWAY_GROUP || ref.kind !== 'Gateway') return [];
    const namespace = ref.namespace ?? route.metadata.namespace;
    const gateway = byName.get(`${namespace}/${ref.name}`);
    if (!gateway) return []; // not one of ours: another controller owns that status
    const parentRef: ParentReference = {
      group: ref.group,
      kind: ref.kind,
      namespace,
      name: ref.name,
      ...(ref.sectionName !== undefined ? { sectionName: ref.sectionName } : {}),
      ...(ref.port !== undefined ? { port: ref.port } : {}),
    };
    return [attachToParent(snapshot, route, gateway, parentRef)];
  });
  if (parents.length === 0) return undefined;
  const backends = route.spec.rules.map((rule) =>
    (rule.backendRefs ?? []).map((ref) => ({ ref, resolved: resolveBackendRef(snapshot, route, ref) })),
  );
  const upstreams = backends.flat().flatMap(({ resolved }) => (resolved.ok ? [resolved.upstream] : []));
  const rules = route.spec.rules.map((rule, i) => matchActions(rule, backends[i] ?? []));
  return { route, parents, rules, resolvedRefs: resolvedRefsCondition(backends), upstreams };
}

function attachToParent(
  snapshot: StoreSnapshot,
  route: HTTPRoute,
  gateway: ResolvedGateway,
  parentRef: ParentReference,
): RouteParent {
  const refuse = (accepted: c.Condition): RouteParent => ({ gateway, parentRef, accepted, attachments: [] });
  const unsupported = unsupportedField(route);
  if (unsupported) return refuse(c.routeUnsupportedValue(unsupported.field, unsupported.detail));

  let candidates = gateway.listeners;
  if (parentRef.sectionName !== undefined) {
    candidates = candidates.filter((l) => l.spec.name === parentRef.sectionName);
    if (candidates.length === 0)
      return refuse(c.routeNoMatchingParent(`Gateway has no listener named ${parentRef.sectionName}.`));
  }
  if (parentRef.port !== undefined) {
    candidates = candidates.filter((l) => l.spec.port === parentRef.port);
    if (candidates.length === 0)
      return refuse(c.routeNoMatchingParent(`Gateway has no listener on port ${parentRef.port}.`));
  }
  const allowed = candidates.filter(
    (l) =>
      l.accepted &&
      l.supportedKinds.some((k) => k.kind === 'HTTPRoute') &&
      l.allowsNamespace(snapshot, route.metadata.namespace),
  );
  if (allowed.length === 0) {
    return refuse(
      c.routeNotAllowedByListeners(
        `No valid listener allows HTTPRoutes from namespace ${route.metadata.namespace}.`,
      ),
    );
  }
  const attachments = allowed
    .map((listener) => ({
      listener,
      hostnames: effectiveHostnames(listener.spec.hostname, route.spec.hostnames),
    }))
    .filter((a) => a.hostnames.length > 0);
  if (attachments.length === 0) return refuse(c.routeNoMatchingListenerHostname());
  return { gateway, parentRef, accepted: c.routeAccepted(), attachments };
}

interface ResolvedRef {
  readonly ref: { readonly weight: number };
  readonly resolved: ResolvedBackend;
}

type Rule = HTTPRoute['spec']['rules'][number];

/**
 * What each match of a rule does. A redirect filter answers by itself. Otherwise the rule
 * forwards to its backends by weight, with its header filters; unresolved backends keep their
 * share, answered with 500 as the spec requires; no backend with weight (or none at all): 500.
 */
function matchActions(rule: Rule, refs: readonly ResolvedRef[]): MatchAction[] {
  const filter = <T extends NonNullable<Rule['filters']>[number]['type']>(type: T) =>
    rule.filters?.find((f): f is Extract<typeof f, { type: T }> => f.type === type);
  const responseHeaders = headerModifier(filter('ResponseHeaderModifier')?.responseHeaderModifier);
  const redirect = filter('RequestRedirect')?.requestRedirect;
  const forward = forwardAction(
    refs,
    headerModifier(filter('RequestHeaderModifier')?.requestHeaderModifier),
    responseHeaders,
  );
  return rule.matches.map((m) => {
    const match = requestMatch(m);
    const action: RuleAction = redirect
      ? { kind: 'redirect', redirect: redirectFor(redirect, match.path), responseHeaders }
      : forward;
    return { match, action };
  });
}

function forwardAction(
  refs: readonly ResolvedRef[],
  requestHeaders: HeaderModifier,
  responseHeaders: HeaderModifier,
): RuleAction {
  const backends: WeightedBackend[] = refs
    .filter(({ ref }) => ref.weight > 0)
    .map(({ ref, resolved }) =>
      resolved.ok
        ? { kind: 'upstream', upstream: resolved.upstream.name, weight: ref.weight }
        : { kind: 'invalid', weight: ref.weight },
    );
  if (!backends.some((b) => b.kind === 'upstream')) return { kind: 'fixedResponse', status: 500 };
  return { kind: 'forward', backends, requestHeaders, responseHeaders };
}

function resolvedRefsCondition(rules: readonly (readonly ResolvedRef[])[]): c.Condition {
  for (const [i, refs] of rules.entries()) {
    for (const [j, { resolved }] of refs.entries()) {
      if (!resolved.ok)
        return c.routeUnresolvedRef(resolved.reason, `spec.rules[${i}].backendRefs[${j}]`, resolved.message);
    }
  }
  return c.routeResolvedRefs();
}
