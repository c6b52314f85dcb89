/**
 * The resolver says what should be programmed; only the deployer knows whether it is. This
 * merges the deployer's report into Gateway statuses: addresses, and Programmed on the Gateway
 * and its listeners.
 */
import {
  conditions as c,
  type GatewayAddress,
  type ObjectStatus,
  type ResolvedCondition,
  type RouteParentStatus,
} from '../model/index.js';

export interface DataPlaneReport {
  readonly addresses: readonly GatewayAddress[];
  /** Routes the proxy refused (`HTTPRoute/<ns>/<name>`), set aside while the rest is served. */
  readonly rejectedRoutes?: readonly { readonly route: string; readonly message: string }[];
  readonly state:
    | { readonly kind: 'programmed' }
    /** Being applied, or the last attempt failed; the previous configuration may still serve. */
    | { readonly kind: 'pending'; readonly message: string }
    | { readonly kind: 'noAddress'; readonly message: string };
}

const NOT_APPLIED: DataPlaneReport = {
  addresses: [],
  state: { kind: 'pending', message: 'The configuration has not been applied yet.' },
};

function replaceProgrammed(conditions: readonly ResolvedCondition[], next: c.Condition): ResolvedCondition[] {
  return conditions.map((condition) =>
    condition.type === 'Programmed' && condition.status === 'True'
      ? { ...next, observedGeneration: condition.observedGeneration }
      : condition,
  );
}

export function mergeDataPlaneReports(
  statuses: readonly ObjectStatus[],
  reports: ReadonlyMap<string, DataPlaneReport>,
): ObjectStatus[] {
  return statuses.map((status) => {
    if (status.kind === 'HTTPRoute') return markRejected(status, reports);
    if (status.kind !== 'Gateway') return status;
    const report = reports.get(`${status.metadata.namespace}/${status.metadata.name}`) ?? NOT_APPLIED;
    const { state } = report;
    const gatewayCondition =
      state.kind === 'programmed'
        ? undefined
        : state.kind === 'noAddress'
          ? c.gatewayAddressNotAssigned(state.message)
          : c.gatewayPending(state.message);
    const listenerCondition = state.kind === 'programmed' ? undefined : c.listenerPending(state.message);
    return {
      ...status,
      status: {
        ...status.status,
        addresses: report.addresses,
        conditions: gatewayCondition
          ? replaceProgrammed(status.status.conditions, gatewayCondition)
          : status.status.conditions,
        listeners: status.status.listeners.map((listener) => ({
          ...listener,
          conditions: listenerCondition
            ? replaceProgrammed(listener.conditions, listenerCondition)
            : listener.conditions,
        })),
      },
    };
  });
}

/**
 * A route the proxy refused is not Accepted by that Gateway, with the proxy's own words. A
 * route no Gateway refused is returned as it came (the stamper reuses what it stamped for it).
 */
function markRejected(
  status: Extract<ObjectStatus, { kind: 'HTTPRoute' }>,
  reports: ReadonlyMap<string, DataPlaneReport>,
): ObjectStatus {
  const key = `${status.kind}/${status.metadata.namespace}/${status.metadata.name}`;
  const rejectionBy = (parent: RouteParentStatus) =>
    reports
      .get(`${parent.parentRef.namespace}/${parent.parentRef.name}`)
      ?.rejectedRoutes?.find((r) => r.route === key);
  if (!status.status.parents.some(rejectionBy)) return status;
  return {
    ...status,
    status: {
      parents: status.status.parents.map((parent) => {
        const rejected = rejectionBy(parent);
        if (!rejected) return parent;
        return {
          ...parent,
          conditions: parent.conditions.map((condition) =>
            condition.type === 'Accepted'
              ? {
                  ...c.routeRejectedByProxy(rejected.message),
                  observedGeneration: condition.observedGeneration,
                }
              : condition,
          ),
        };
      }),
    },
  };
}
