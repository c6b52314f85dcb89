/**
 * Reading the status file the way upstream's helpers read the API (reference §3.6): condition
 * matching by type with optional status and reason, and the observedGeneration discipline
 * against the generation the replay's "API server" (ManifestFolder) knows.
 */
import { readStatus, type Condition, type StatusItem } from '../../support/standalone.js';
import type { ManifestFolder } from './manifestFolder.js';

export interface ExpectedCondition {
  readonly type: string;
  /** Unset matches any status. */
  readonly status?: 'True' | 'False';
  /** Unset matches any reason. */
  readonly reason?: string;
}

export interface NamespacedName {
  readonly name: string;
  readonly namespace: string;
}

/** `findConditionInList`: by type; an unset status or reason matches anything. */
export function hasCondition(actual: readonly Condition[] | undefined, expected: ExpectedCondition): boolean {
  return (actual ?? []).some(
    (c) =>
      c.type === expected.type &&
      (expected.status === undefined || c.status === expected.status) &&
      (expected.reason === undefined || c.reason === expected.reason),
  );
}

export const allConditionsMatch = (
  actual: readonly Condition[] | undefined,
  expected: readonly ExpectedCondition[],
): boolean => expected.every((e) => hasCondition(actual, e));

export function formatConditions(conditions: readonly Condition[] | undefined): string {
  if (!conditions || conditions.length === 0) return '(no conditions)';
  return conditions.map((c) => `${c.type}=${c.status}/${c.reason}@gen${c.observedGeneration}`).join(', ');
}

export const formatExpected = (e: ExpectedCondition): string =>
  `${e.type}=${e.status ?? '*'}/${e.reason ?? '*'}`;

/** Conditions whose observedGeneration is not `generation`; all of them when there are none. */
export function staleConditions(
  conditions: readonly Condition[] | undefined,
  generation: number,
): string | undefined {
  if (!conditions || conditions.length === 0) return 'no conditions yet';
  const stale = conditions.filter((c) => c.observedGeneration !== generation);
  if (stale.length === 0) return undefined;
  return `conditions not at generation ${generation}: ${formatConditions(stale)}`;
}

/** The status file plus the "API server" generations: everything a status helper looks at. */
export class StatusView {
  constructor(
    readonly statusFile: string,
    readonly folder: ManifestFolder,
  ) {}

  read(): Promise<readonly StatusItem[]> {
    return readStatus(this.statusFile);
  }

  /** The object's status (undefined until the controller first writes it) and its current generation. */
  async lookup(
    kind: string,
    ref: { readonly name: string; readonly namespace?: string },
  ): Promise<{ item?: StatusItem; generation: number }> {
    const generation = this.folder.generation(kind, ref.namespace, ref.name);
    if (generation === undefined)
      throw new Error(`${kind} ${ref.namespace ?? ''}/${ref.name} was never applied by this test`);
    const items = await this.read();
    const item = items.find(
      (i) =>
        i.kind === kind &&
        i.metadata.name === ref.name &&
        (i.metadata.namespace ?? undefined) === ref.namespace,
    );
    return { item, generation };
  }
}
