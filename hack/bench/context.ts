/** What every scenario gets from main.ts, and what it gives back for the report. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DriverName } from '../../operator/model/index.js';
import type { Processes } from './processes.js';
import type { Progress } from './progress.js';

export interface BenchContext {
  readonly processes: Processes;
  readonly progress: Progress;
  /** Short temporary folder for manifests, state dirs and baseline configs. */
  readonly workDir: string;
  readonly drivers: readonly DriverName[];
  readonly runs: number;
  readonly quick: boolean;
  /** With `--profile`: where controller CPU profiles go (scenarios profile their measured part). */
  readonly profileDir?: string;
  /** The proxy under test runs on `proxy`; backend, wrk and probes' peers on `load`. */
  readonly cpus: { readonly proxy: string; readonly load: string };
}

/** One target of the issue, checked against this run's figures. */
export interface TargetCheck {
  readonly scenario: string;
  readonly driver: DriverName;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** How far off, when missed ("+312 ms (15.6×)"). */
  readonly missedBy?: string;
  /** What bounds the figure, from this run's own breakdown. */
  readonly bound?: string;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  /** Sizes, durations and counts the scenario ran with. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Every figure, per driver, for the JSON file. */
  readonly data: unknown;
  /** Headline figures by name (`nginx.generated.rps`), compared with the previous results file. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly targets: readonly TargetCheck[];
  /** Markdown: the scenario's table(s) and notes. */
  readonly markdown: string;
}

let folderCount = 0;

/** A fresh short folder under the work dir: `<work>/<n>-<label>`. */
export async function scratch(context: BenchContext, label: string): Promise<string> {
  folderCount += 1;
  const dir = path.join(context.workDir, `${folderCount}-${label}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

export function formatMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  if (value >= 100) return `${Math.round(value).toLocaleString('en-US')} ms`;
  return `${value.toFixed(1)} ms`;
}

export function formatNumber(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A Markdown table from a header row and rows of cells. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const rule = header.map((_, i) => ((align?.[i] ?? 'r') === 'l' ? '---' : '---:'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
