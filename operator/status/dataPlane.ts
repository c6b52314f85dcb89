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
} from '../model/index.js';

export interface DataPlaneReport {
  readonly addresses: readonly GatewayAddress[];
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
