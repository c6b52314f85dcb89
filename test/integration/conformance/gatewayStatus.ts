/**
 * Gateway and GatewayClass status helpers with upstream semantics (reference §3.6), polling the
 * status file every 100 ms with upstream's timeouts.
 */
import type { StatusItem } from '../../support/standalone.js';
import { GATEWAY_GROUP } from './manifests.js';
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
import { done, fatal, notYet, poll, TIMEOUTS } from './timing.js';

export interface ExpectedListener {
  readonly name: string;
  readonly supportedKinds: readonly { readonly group?: string; readonly kind: string }[];
  readonly attachedRoutes: number;
  readonly conditions: readonly ExpectedCondition[];
}

type ListenerStatus = NonNullable<StatusItem['status']['listeners']>[number];

const HTTP_ROUTE_KIND = [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }] as const;
export const supportsHTTPRoute = HTTP_ROUTE_KIND;

const gwName = (gw: NamespacedName): string => `Gateway ${gw.namespace}/${gw.name}`;

function kindsOf(listener: ListenerStatus): { group: string; kind: string }[] {
  return listener.supportedKinds.map((k) => {
    const kind = k as { group?: string; kind?: string };
    // The CRD defaults a RouteGroupKind's group, so an API server would show it set.
    return { group: kind.group ?? GATEWAY_GROUP, kind: kind.kind ?? '' };
  });
}

/** Why `actual` does not satisfy `expected`, or undefined when it does. */
function listenerMismatch(
  actual: ListenerStatus | undefined,
  expected: ExpectedListener,
): string | undefined {
  if (!actual) return `listener ${expected.name} missing from status`;
  const kinds = kindsOf(actual);
  if (expected.supportedKinds.length === 0 && kinds.length > 0)
    return `listener ${expected.name}: supportedKinds must be empty, is ${JSON.stringify(kinds)}`;
  for (const e of expected.supportedKinds) {
    const group = e.group ?? GATEWAY_GROUP;
    if (!kinds.some((k) => k.group === group && k.kind === e.kind))
      return `listener ${expected.name}: supportedKinds ${JSON.stringify(kinds)} lacks ${group}/${e.kind}`;
  }
  if (actual.attachedRoutes !== expected.attachedRoutes)
    return `listener ${expected.name}: attachedRoutes ${actual.attachedRoutes}, expected ${expected.attachedRoutes}`;
  if (!allConditionsMatch(actual.conditions, expected.conditions))
    return `listener ${expected.name}: conditions ${formatConditions(actual.conditions)}, expected ${expected.conditions.map(formatExpected).join(', ')}`;
  return undefined;
}

export class GatewayStatus {
  constructor(private readonly view: StatusView) {}

  /** `GatewayClassMustHaveLatestConditions`-style wait; with `condition`, that one must be present too. */
  gatewayClassMustHaveLatestConditions(
    name: string,
    condition?: ExpectedCondition,
    timeoutMs: number = TIMEOUTS.latestObservedGenerationSet,
  ): Promise<number> {
    return poll(
      `GatewayClass ${name} conditions at the latest generation${condition ? ` with ${formatExpected(condition)}` : ''}`,
      async () => {
        const { item, generation } = await this.view.lookup('GatewayClass', { name });
        const stale = staleConditions(item?.status.conditions, generation);
        if (stale) return notYet(stale);
        if (condition && !hasCondition(item?.status.conditions, condition))
          return notYet(formatConditions(item?.status.conditions));
        return done(generation);
      },
      timeoutMs,
    );
  }

  /** `GatewayMustHaveLatestConditions`: returns the generation they are at. */
  gatewayMustHaveLatestConditions(gw: NamespacedName): Promise<number> {
    return poll(
      `${gwName(gw)} conditions at the latest generation`,
      async () => {
        const { item, generation } = await this.view.lookup('Gateway', gw);
        const stale = staleConditions(item?.status.conditions, generation);
        return stale ? notYet(stale) : done(generation);
      },
      TIMEOUTS.latestObservedGenerationSet,
    );
  }

  /** `GatewayMustHaveCondition`: a stale condition at poll time fails at once, as upstream. */
  gatewayMustHaveCondition(gw: NamespacedName, condition: ExpectedCondition): Promise<void> {
    return poll(
      `${gwName(gw)} condition ${formatExpected(condition)}`,
      async () => {
        const { item, generation } = await this.view.lookup('Gateway', gw);
        const conditions = item?.status.conditions;
        if (!conditions || conditions.length === 0) return notYet('no conditions yet');
        const stale = staleConditions(conditions, generation);
        if (stale) return fatal(stale);
        return hasCondition(conditions, condition) ? done(undefined) : notYet(formatConditions(conditions));
      },
      TIMEOUTS.gatewayMustHaveCondition,
    );
  }

  /** `GatewayStatusMustHaveListeners`: conditions at the latest generation, exactly these listeners. */
  gatewayStatusMustHaveListeners(gw: NamespacedName, expected: readonly ExpectedListener[]): Promise<void> {
    return poll(
      `${gwName(gw)} listeners [${expected.map((l) => l.name).join(', ')}]`,
      async () => {
        const { item, generation } = await this.view.lookup('Gateway', gw);
        const stale = staleConditions(item?.status.conditions, generation);
        if (stale) return notYet(stale);
        const listeners = item?.status.listeners ?? [];
        if (listeners.length !== expected.length)
          return notYet(
            `${listeners.length} listeners in status (${listeners.map((l) => l.name).join(', ')}), expected ${expected.length}`,
          );
        for (const e of expected) {
          const problem = listenerMismatch(
            listeners.find((l) => l.name === e.name),
            e,
          );
          if (problem) return notYet(problem);
        }
        return done(undefined);
      },
      TIMEOUTS.gatewayStatusMustHaveListeners,
    );
  }

  /** `GatewayMustHaveZeroRoutes`: no listeners, or exactly one with attachedRoutes 0. */
  gatewayMustHaveZeroRoutes(gw: NamespacedName): Promise<void> {
    return poll(
      `${gwName(gw)} with zero attached routes`,
      async () => {
        const { item, generation } = await this.view.lookup('Gateway', gw);
        const stale = staleConditions(item?.status.conditions, generation);
        if (stale) return notYet(stale);
        const listeners = item?.status.listeners ?? [];
        if (listeners.length === 0 || (listeners.length === 1 && listeners[0]?.attachedRoutes === 0))
          return done(undefined);
        return notYet(`listeners ${JSON.stringify(listeners.map((l) => [l.name, l.attachedRoutes]))}`);
      },
      TIMEOUTS.gatewayStatusMustHaveListeners,
    );
  }

  /** `GatewayListenersMustHaveConditions`: every listener in status has all the conditions. */
  gatewayListenersMustHaveConditions(
    gw: NamespacedName,
    conditions: readonly ExpectedCondition[],
  ): Promise<void> {
    return poll(
      `${gwName(gw)} listeners with ${conditions.map(formatExpected).join(', ')}`,
      async () => {
        const { item } = await this.view.lookup('Gateway', gw);
        const listeners = item?.status.listeners ?? [];
        if (listeners.length === 0) return notYet('no listeners in status');
        const bad = listeners.find((l) => !allConditionsMatch(l.conditions, conditions));
        return bad ? notYet(`listener ${bad.name}: ${formatConditions(bad.conditions)}`) : done(undefined);
      },
      TIMEOUTS.gatewayListenersMustHaveConditions,
    );
  }

  /** `WaitForGatewayAddress`: the first status address with a type. */
  waitForGatewayAddress(gw: NamespacedName): Promise<string> {
    return poll(
      `${gwName(gw)} address`,
      async () => {
        const { item } = await this.view.lookup('Gateway', gw);
        const address = item?.status.addresses?.find((a) => a.type);
        return address
          ? done(address.value)
          : notYet(`addresses ${JSON.stringify(item?.status.addresses ?? [])}`);
      },
      TIMEOUTS.gatewayMustHaveAddress,
    );
  }

  /**
   * `NamespacesMustBeReady`: every Gateway in these namespaces without the skip annotation has
   * all conditions at the latest generation, Accepted=True and Programmed=True. (Pods are the
   * echo servers, started before the suite and never stopped: always Ready.)
   */
  namespacesMustBeReady(namespaces: readonly string[]): Promise<void> {
    return poll(
      `Gateways in ${namespaces.join(', ')} ready`,
      async () => {
        const items = await this.view.read();
        for (const gateway of this.view.folder.list('Gateway')) {
          const { name, namespace, annotations } = gateway.metadata;
          if (!namespace || !namespaces.includes(namespace)) continue;
          if (annotations?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
          const generation = this.view.folder.generation('Gateway', namespace, name) ?? 0;
          const item = items.find(
            (i) => i.kind === 'Gateway' && i.metadata.name === name && i.metadata.namespace === namespace,
          );
          const conditions = item?.status.conditions;
          const stale = staleConditions(conditions, generation);
          if (stale) return notYet(`Gateway ${namespace}/${name}: ${stale}`);
          for (const type of ['Accepted', 'Programmed']) {
            if (!hasCondition(conditions, { type, status: 'True' }))
              return notYet(`Gateway ${namespace}/${name}: ${formatConditions(conditions)}`);
          }
        }
        return done(undefined);
      },
      TIMEOUTS.namespacesMustBeReady,
    );
  }
}
