/** Namespace labels and label selectors, as Kubernetes evaluates them. */
import type { labelSelector } from '../api/gatewayApi.js';
import type { DeepReadonly } from '../api/meta.js';
import type { StoreSnapshot } from '../store/index.js';
import type { z } from 'zod';

export type LabelSelector = DeepReadonly<z.output<typeof labelSelector>>;

/** Every namespace carries `kubernetes.io/metadata.name`, declared or implicit (DESIGN §4). */
export function namespaceLabels(snapshot: StoreSnapshot, namespace: string): Readonly<Record<string, string>> {
  const declared = snapshot.get('Namespace', '', namespace);
  return { ...(declared?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, key);
    const value = labels[key];
    const ok =
      operator === 'In'
        ? present && values.includes(value ?? '')
        : operator === 'NotIn'
          ? !present || !values.includes(value ?? '')
          : operator === 'Exists'
            ? present
            : !present;
    if (!ok) return false;
  }
  return true;
}
