/**
 * The results file (JSON, everything measured) and the summary (Markdown: machine, targets,
 * one section per scenario, and the comparison with the previous results file).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { table, type ScenarioResult, type TargetCheck } from './context.js';
import type { Machine, SourceFingerprint } from './machine.js';

export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationS: number;
  readonly flags: {
    readonly scenarios: readonly string[];
    readonly drivers: readonly string[];
    readonly runs: number;
    readonly quick: boolean;
    readonly profile?: boolean;
  };
  readonly machine: Machine;
  /** The gateplane code measured (at the start of the run). */
  readonly source: SourceFingerprint;
  readonly load: { readonly before: readonly number[]; readonly after: readonly number[] };
  readonly scenarios: readonly ScenarioResult[];
  readonly failures: readonly { readonly scenario: string; readonly error: string }[];
  readonly strayProcesses: readonly number[];
}

interface Previous {
  readonly file: string;
  readonly results: BenchResults;
}

/**
 * The newest results file in `dir` of the same kind (quick or full) as this run, else the
 * newest of any kind; undefined when there is none.
 */
export async function previousResults(dir: string, quick: boolean): Promise<Previous | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => /^results-.*\.json$/.test(f))
    .sort()
    .reverse();
  let fallback: Previous | undefined;
  for (const file of files) {
    let results: BenchResults;
    try {
      results = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as BenchResults;
    } catch {
      continue;
    }
    if (results.flags.quick === quick) return { file, results };
    fallback ??= { file, results };
  }
  return fallback;
}

export async function writeResults(
  dir: string,
  results: BenchResults,
  previous: Previous | undefined,
): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const json = path.join(dir, `results-${stamp}.json`);
  const markdown = path.join(dir, `summary-${stamp}.md`);
  await writeFile(json, `${JSON.stringify(results, null, 1)}\n`);
  await writeFile(markdown, summary(results, previous));
  return { json, markdown };
}

function targetRows(targets: readonly TargetCheck[]): string[][] {
  return targets.map((t) => [
    t.scenario,
    t.driver,
    t.target,
    t.measured,
    t.met ? 'met' : '**missed**',
    t.missedBy ?? '',
    t.bound ?? '',
  ]);
}

export function summary(results: BenchResults, previous: Previous | undefined): string {
  const m = results.machine;
  const targets = results.scenarios.flatMap((s) => s.targets);
  const lines = [
    '# gateplane benchmark summary',
    '',
    `Run started ${results.startedAt}, took ${(results.durationS / 60).toFixed(1)} min: \`npm run bench --${results.flags.quick ? ' --quick' : ''}${results.flags.profile ? ' --profile' : ''} --runs ${results.flags.runs} --scenario ${results.flags.scenarios.join(',')} --driver ${results.flags.drivers.join(',')}\`.`,
    '',
    `gateplane source measured: ${results.source.hash} (${results.source.files} files of operator/, drivers/, templates/; newest modified ${results.source.newest}); the controller ran it ${results.source.controller === 'compiled' ? 'compiled (dist/, as an install runs it)' : results.source.controller === 'sources' ? 'from the sources through tsx (dist/ missing or older than them; tsx adds ~40 MiB)' : 'from the sources through tsx'}.`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}, kernel ${m.kernel}; Node ${m.node}, nginx ${m.nginx}, ${m.haproxy}, ${m.wrk}. ` +
      `Load average (1/5/15 min) before: ${results.load.before.join(' / ')}, after: ${results.load.after.join(' / ')} (other jobs share this machine).`,
    '',
    'Layout: the proxy under test is pinned to CPU 1 with one worker (nginx `worker_processes 1`, HAProxy `nbthread 1`); the backend (one nginx worker answering `200 ok`), wrk and the probes run on CPU 0; the controller is not pinned. Traffic is loopback only (127.0.60.0/22). Percentiles are nearest rank.',
    '',
    '## Targets',
    '',
    targets.length > 0
      ? table(
          ['scenario', 'driver', 'target', 'measured', 'verdict', 'missed by', 'what bounds it'],
          targetRows(targets),
          ['l', 'l', 'l', 'r', 'l', 'r', 'l'],
        )
      : 'No target was measured.',
    '',
  ];
  for (const failure of results.failures) lines.push(`**${failure.scenario} failed:** ${failure.error}`, '');
  for (const scenario of results.scenarios) lines.push(`## ${scenario.title}`, '', scenario.markdown, '');
  lines.push('## Comparison with the previous run', '', comparison(results, previous), '');
  if (results.strayProcesses.length > 0)
    lines.push(
      `**Stray proxy processes found and killed after the run:** ${results.strayProcesses.join(', ')}`,
      '',
    );
  return `${lines.join('\n')}\n`;
}

/** Figures present in both runs: scenario, name, this run, previous run, ratio. */
function commonFigures(results: BenchResults, previous: BenchResults): string[][] {
  const before = new Map<string, number>();
  for (const s of previous.scenarios)
    for (const [k, v] of Object.entries(s.metrics)) before.set(`${s.id} ${k}`, v);
  const rows: string[][] = [];
  for (const s of results.scenarios) {
    for (const [k, v] of Object.entries(s.metrics)) {
      const old = before.get(`${s.id} ${k}`);
      if (old === undefined) continue;
      rows.push([s.id, k, format(v), format(old), ratio(v, old)]);
    }
  }
  return rows;
}

function ratio(now: number, before: number): string {
  if (before === 0) return now === 0 ? '1.00' : 'n/a';
  return (now / before).toFixed(2);
}

function comparison(results: BenchResults, previous: Previous | undefined): string {
  if (!previous) return 'No previous results file in `.gateplane/bench/`: nothing to compare with.';
  const rows = commonFigures(results, previous.results);
  const p = previous.results;
  const sameSource = p.source?.hash === results.source.hash;
  const header = [
    `Source: ${sameSource ? 'the same gateplane code as this run' : `different gateplane code (${p.source?.hash ?? 'unknown'} then, ${results.source.hash} now)`}.`,
    '',
    `"This run" figures were measured in this run; "previous run" figures come from \`${previous.file}\` (started ${p.startedAt}, ${p.flags.quick ? 'quick' : 'full'} run, load before ${p.load.before.join(' / ')}), measured at another time under other load: ratios across runs carry that noise, unlike the generated/hand-tuned ratios of S1, which were measured in the same run.`,
    '',
  ];
  if (rows.length === 0)
    return [...header, 'No figure in common (different scenarios, drivers or sizes).'].join('\n');
  return [
    ...header,
    table(['scenario', 'figure', 'this run', 'previous run', 'this / previous'], rows, ['l', 'l']),
  ].join('\n');
}

function format(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return (Math.round(value * 100) / 100).toString();
}
