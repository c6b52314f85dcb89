/** Namespace labels and label selectors, as Kubernetes evaluates them. */
import type { labelSelector } from '../api/gatewayApi.js';
import type { DeepReadonly } from '../api/meta.js';
import type { StoreSnapshot } from '../store/index.js';
import type { z } from 'zod';

export type LabelSelector = DeepReadonly<z.output<typeof labelSelector>>;

/** Every namespace carries `kubernetes.io/metadata.name`, declared or implicit (DESIGN §4). */
export function namespaceLabels(
  snapshot: StoreSnapshot,
  namespace: string,
): Readonly<Record<string, string>> {
  const declared = snapshot.get('Namespace', '', namespace);
  return { ...(declared?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) =>
    OPERATORS[operator](Object.hasOwn(labels, key), values, labels[key] ?? ''),
  );
}

type Operator = LabelSelector extends { readonly matchExpressions?: readonly (infer R)[] }
  ? R extends { readonly operator: infer O extends string }
    ? O
    : never
  : never;

const OPERATORS: Readonly<
  Record<Operator, (present: boolean, values: readonly string[], value: string) => boolean>
> = {
  In: (present, values, value) => present && values.includes(value),
  NotIn: (present, values, value) => !present || !values.includes(value),
  Exists: (present) => present,
  DoesNotExist: (present) => !present,
};
