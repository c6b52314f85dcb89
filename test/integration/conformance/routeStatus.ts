/**
 * HTTPRoute status helpers with upstream semantics (reference §3.6), and
 * `GatewayAndHTTPRoutesMustBeAccepted`, which most HTTPRoute tests start with.
 */
import type { StatusItem } from '../../support/standalone.js';
import type { GatewayStatus } from './gatewayStatus.js';
import { CONTROLLER_NAME, GATEWAY_GROUP } from './manifests.js';
import {
  allConditionsMatch,
  formatConditions,
  formatExpected,
  hasCondition,
  staleConditions,
  type ExpectedCondition,
  type NamespacedName,
  type StatusView,
} from './statusReading.js';
import { done, notYet, poll, TIMEOUTS } from './timing.js';

export interface ExpectedParent {
  readonly gateway: NamespacedName;
  readonly conditions: readonly ExpectedCondition[];
}

/** Where to send requests: the Gateway's status address and a listener's port. */
export interface GatewayAddress {
  readonly host: string;
  readonly port: number;
}

type ParentStatus = NonNullable<StatusItem['status']['parents']>[number];

const routeName = (r: NamespacedName): string => `HTTPRoute ${r.namespace}/${r.name}`;
const ACCEPTED: ExpectedCondition = { type: 'Accepted', status: 'True', reason: 'Accepted' };
const RESOLVED_REFS: ExpectedCondition = { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' };

/** Upstream requires group and kind to be set (a nil pointer never matches), and the namespace when required. */
function parentMatches(actual: ParentStatus, expected: ExpectedParent, namespaceRequired: boolean): boolean {
  const ref = actual.parentRef as { group?: string; kind?: string; name?: string; namespace?: string };
  if (actual.controllerName !== CONTROLLER_NAME) return false;
  if (ref.group !== GATEWAY_GROUP || ref.kind !== 'Gateway' || ref.name !== expected.gateway.name)
    return false;
  if (ref.namespace === undefined ? namespaceRequired : ref.namespace !== expected.gateway.namespace)
    return false;
  return allConditionsMatch(actual.conditions, expected.conditions);
}

const formatParents = (parents: readonly ParentStatus[]): string =>
  parents.length === 0
    ? '(no parents)'
    : parents
        .map(
          (p) => `${JSON.stringify(p.parentRef)} by ${p.controllerName}: ${formatConditions(p.conditions)}`,
        )
        .join('; ');

function staleParents(parents: readonly ParentStatus[], generation: number): string | undefined {
  for (const parent of parents) {
    const stale = staleConditions(parent.conditions, generation);
    if (stale) return `parent ${JSON.stringify(parent.parentRef)}: ${stale}`;
  }
  return undefined;
}

export class RouteStatus {
  constructor(
    private readonly view: StatusView,
    private readonly gateways: GatewayStatus,
  ) {}

  private async parentsOf(
    route: NamespacedName,
  ): Promise<{ parents: readonly ParentStatus[]; generation: number }> {
    const { item, generation } = await this.view.lookup('HTTPRoute', route);
    return { parents: item?.status.parents ?? [], generation };
  }

  /** `HTTPRouteMustHaveParents`: each expected parent matches some parent in status. */
  httpRouteMustHaveParents(
    route: NamespacedName,
    expected: readonly ExpectedParent[],
    namespaceRequired: boolean,
  ): Promise<void> {
    const what = expected
      .map((e) => `${e.gateway.name} ${e.conditions.map(formatExpected).join(',')}`)
      .join('; ');
    return poll(
      `${routeName(route)} parents [${what}]`,
      async () => {
        const { parents, generation } = await this.parentsOf(route);
        const stale = staleParents(parents, generation);
        if (stale) return notYet(stale);
        const missing = expected.find((e) => !parents.some((p) => parentMatches(p, e, namespaceRequired)));
        return missing ? notYet(formatParents(parents)) : done(undefined);
      },
      TIMEOUTS.routeMustHaveParents,
    );
  }

  /** `HTTPRouteMustHaveCondition`: all parents at the latest generation; the parent for `gw` has it. */
  httpRouteMustHaveCondition(
    route: NamespacedName,
    gw: NamespacedName,
    condition: ExpectedCondition,
  ): Promise<void> {
    return poll(
      `${routeName(route)} parent ${gw.name} with ${formatExpected(condition)}`,
      async () => {
        const { parents, generation } = await this.parentsOf(route);
        const stale = staleParents(parents, generation);
        if (stale) return notYet(stale);
        const found = parents.some((p) => {
          const ref = p.parentRef as { name?: string; namespace?: string };
          const sameGateway =
            ref.name === gw.name && (ref.namespace === undefined || ref.namespace === gw.namespace);
          return sameGateway && hasCondition(p.conditions, condition);
        });
        return found ? done(undefined) : notYet(formatParents(parents));
      },
      TIMEOUTS.httpRouteMustHaveCondition,
    );
  }

  httpRouteMustHaveResolvedRefsConditionsTrue(route: NamespacedName, gw: NamespacedName): Promise<void> {
    return this.httpRouteMustHaveCondition(route, gw, RESOLVED_REFS);
  }

  /** All parents' conditions at the latest generation; returns that generation. */
  httpRouteMustHaveLatestConditions(route: NamespacedName): Promise<number> {
    return poll(
      `${routeName(route)} parent conditions at the latest generation`,
      async () => {
        const { parents, generation } = await this.parentsOf(route);
        if (parents.length === 0) return notYet('no parents yet');
        const stale = staleParents(parents, generation);
        return stale ? notYet(stale) : done(generation);
      },
      TIMEOUTS.latestObservedGenerationSet,
    );
  }

  /**
   * `HTTPRouteMustHaveNoAcceptedParents` (1 s poll): no parents on two consecutive polls, or
   * exactly one parent, at the latest generation, with Accepted=False.
   */
  httpRouteMustHaveNoAcceptedParents(route: NamespacedName): Promise<void> {
    let emptyPolls = 0;
    return poll(
      `${routeName(route)} without accepted parents`,
      async () => {
        const { parents, generation } = await this.parentsOf(route);
        if (parents.length === 0) {
          emptyPolls += 1;
          return emptyPolls >= 2 ? done(undefined) : notYet('no parents (once)');
        }
        emptyPolls = 0;
        const [only] = parents;
        if (parents.length !== 1 || !only) return notYet(formatParents(parents));
        const stale = staleConditions(only.conditions, generation);
        if (stale) return notYet(stale);
        return hasCondition(only.conditions, { type: 'Accepted', status: 'False' })
          ? done(undefined)
          : notYet(formatParents(parents));
      },
      TIMEOUTS.httpRouteMustNotHaveParents,
      1_000,
    );
  }

  /**
   * `GatewayAndHTTPRoutesMustBeAccepted` (Appendix A "ACCEPT"): the Gateway has a typed address;
   * each route has a parent for it with Accepted=True/Accepted; then every listener has
   * ResolvedRefs, Accepted and Programmed True. Returns the address with the port of the named
   * listener, or of the first one.
   */
  async gatewayAndHTTPRoutesMustBeAccepted(
    gw: NamespacedName & { readonly listenerNames?: readonly string[] },
    routes: readonly NamespacedName[],
  ): Promise<GatewayAddress> {
    const host = await this.gateways.waitForGatewayAddress(gw);
    const spec = this.view.folder.get('Gateway', gw.namespace, gw.name)?.['spec'] as
      { listeners?: { name: string; port: number }[] } | undefined;
    const listeners = spec?.listeners ?? [];
    const listener = gw.listenerNames?.[0]
      ? listeners.find((l) => l.name === gw.listenerNames?.[0])
      : listeners[0];
    if (!listener)
      throw new Error(`Gateway ${gw.namespace}/${gw.name} has no listener ${gw.listenerNames?.[0] ?? ''}`);
    for (const route of routes) {
      await this.httpRouteMustHaveParents(
        route,
        [{ gateway: gw, conditions: [ACCEPTED] }],
        route.namespace !== gw.namespace,
      );
    }
    await this.gateways.gatewayListenersMustHaveConditions(gw, [
      { type: 'ResolvedRefs', status: 'True' },
      { type: 'Accepted', status: 'True' },
      { type: 'Programmed', status: 'True' },
    ]);
    return { host, port: listener.port };
  }
}
