/**
 * S1 throughput: one route, gateplane's generated configuration against a hand-tuned one of the
 * same proxy (baselines/), plus an attribution variant (s1Variants.ts), all up at once on their
 * own addresses, pinned to the same CPU, with one worker each. wrk (keep-alive) measures them in
 * turn, the order rotating from pair to pair so that drift on a shared machine hits all alike.
 * Each measurement is preceded by a 1 s warm-up whose figures are dropped.
 */
import path from 'node:path';
import type { DriverName } from '../../operator/model/index.js';
import { waitForStatus } from './backend.js';
import {
  formatMs,
  formatNumber,
  scratch,
  table,
  type BenchContext,
  type ScenarioResult,
  type TargetCheck,
} from './context.js';
import { Controller } from './controller.js';
import {
  LISTENER_PORT,
  ManifestFolder,
  backendAddress,
  gatewayManifests,
  routeManifest,
  serviceManifests,
} from './manifests.js';
import type { Tracked } from './processes.js';
import {
  BASELINE_ADDRESS,
  GATEWAY_ADDRESS,
  HOST,
  VARIANT_ADDRESS,
  startBaseline,
  startVariant,
} from './s1Proxies.js';
import { cpuShare, measureQuietly, type Quiet } from './noise.js';
import { median } from './stats.js';
import { runWrk, type WrkResult } from './wrk.js';

const CONNECTIONS = 50;

/** Rounds of S1: at least 3, so that one disturbed round cannot decide a median. */
function rounds(context: BenchContext): number {
  return context.quick ? 2 : Math.max(3, context.runs + 2);
}

interface Side {
  readonly label: string;
  readonly role: 'generated' | 'hand-tuned' | 'attribution';
  readonly address: string;
  readonly results: WrkResult[];
  readonly noise: Quiet<WrkResult>[];
}

interface SideFigures {
  readonly label: string;
  readonly role: Side['role'];
  readonly runs: readonly WrkResult[];
  readonly rps: number;
  readonly p99Ms: number;
  /** Median of the round-by-round ratios to the hand-tuned side. */
  readonly rpsRatio: number;
  readonly p99Ratio: number;
  /** Rounds the ratios were taken over. */
  readonly cleanRounds: number;
  /** Measurements repeated because other jobs used the CPU, and those still disturbed. */
  readonly discarded: number;
  readonly disturbed: number;
  /** Largest share of one CPU other jobs used during a kept measurement. */
  readonly foreignShare: number;
}

async function measureSides(
  context: BenchContext,
  driver: DriverName,
  sides: readonly Side[],
): Promise<void> {
  const pairs = rounds(context);
  const durationS = context.quick ? 3 : 5;
  for (let round = 0; round < pairs; round += 1) {
    const order = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
    for (const side of order) {
      const wrk = {
        url: `http://${side.address}:${LISTENER_PORT}/`,
        host: HOST,
        connections: CONNECTIONS,
        cpus: context.cpus.load,
      };
      await runWrk(context.processes, { ...wrk, durationS: 1 });
      const quiet = await measureQuietly(() => runWrk(context.processes, { ...wrk, durationS }), {
        retries: 3,
        maxWaitMs: 60_000,
      });
      side.results.push(quiet.value);
      side.noise.push(quiet);
      const note =
        quiet.discarded > 0 || quiet.disturbed
          ? ` (other jobs: ${formatMs(quiet.foreignMs)} CPU; ${quiet.discarded} attempt(s) discarded${quiet.disturbed ? ', still disturbed' : ''})`
          : '';
      context.progress.say(
        `S1 ${driver}`,
        `round ${round + 1}/${pairs} ${side.label}: ${formatNumber(quiet.value.rps)} rps, p99 ${formatMs(quiet.value.p99Ms)}${note}`,
      );
    }
  }
}

async function measureDriver(context: BenchContext, driver: DriverName): Promise<SideFigures[]> {
  const dir = await scratch(context, `s1-${driver}`);
  const folder = await ManifestFolder.create(dir);
  await folder.writeMany([
    { name: 'gateway.yaml', content: gatewayManifests(driver, GATEWAY_ADDRESS) },
    { name: 'service.yaml', content: serviceManifests('echo', [backendAddress(1)]) },
    { name: 'route.yaml', content: routeManifest('bench', HOST, 'echo') },
  ]);
  context.progress.say(
    `S1 ${driver}`,
    'starting gateplane, the hand-tuned baseline and the attribution variant',
  );
  const controller = await Controller.forScenario(context, driver, { manifests: folder.dir, dir });
  const extra: Tracked[] = [];
  try {
    await controller.started();
    const baseline = await startBaseline(context, driver);
    extra.push(baseline);
    await waitForStatus({ address: GATEWAY_ADDRESS, port: LISTENER_PORT, host: HOST }, 200, baseline);
    const variant = await startVariant(context, driver, path.join(dir, 'state', 'default_bench'));
    if (variant) extra.push(variant.proxy);
    const sides: Side[] = [
      { label: 'generated', role: 'generated', address: GATEWAY_ADDRESS, results: [], noise: [] },
      { label: 'hand-tuned', role: 'hand-tuned', address: BASELINE_ADDRESS[driver], results: [], noise: [] },
      ...(variant
        ? [
            {
              label: variant.label,
              role: 'attribution' as const,
              address: VARIANT_ADDRESS[driver],
              results: [],
              noise: [],
            },
          ]
        : []),
    ];
    await measureSides(context, driver, sides);
    return sides.map((side) => sideFigures(context, side, sides[1]!));
  } finally {
    for (const proxy of extra) await context.processes.stop(proxy);
    await controller.stop();
  }
}

/**
 * A side's medians, and its ratios to the hand-tuned side taken round by round (each pair measured
 * minutes apart at most), over the rounds in which neither measurement was disturbed by other
 * jobs; over all rounds when fewer than two are clean.
 */
function sideFigures(context: BenchContext, side: Side, handTuned: Side): SideFigures {
  const clean = side.noise.map((q, i) => !q.disturbed && !handTuned.noise[i]!.disturbed);
  const usable = clean.filter(Boolean).length >= 2 ? clean : clean.map(() => true);
  const ratios = (pick: (r: WrkResult) => number): number =>
    median(side.results.flatMap((r, i) => (usable[i] ? [pick(r) / pick(handTuned.results[i]!)] : [])));
  return {
    label: side.label,
    role: side.role,
    runs: side.results,
    rps: median(side.results.map((r) => r.rps)),
    p99Ms: median(side.results.map((r) => r.p99Ms)),
    rpsRatio: ratios((r) => r.rps),
    p99Ratio: ratios((r) => r.p99Ms),
    cleanRounds: usable.filter(Boolean).length,
    discarded: side.noise.reduce((n, q) => n + q.discarded, 0),
    disturbed: side.noise.filter((q) => q.disturbed).length,
    foreignShare: Math.max(...side.noise.map((q) => cpuShare(q.foreignMs, (context.quick ? 3 : 5) * 1000))),
  };
}

function checks(driver: DriverName, sides: readonly SideFigures[]): TargetCheck[] {
  const generated = sides.find((s) => s.role === 'generated')!;
  const attribution = sides.find((s) => s.role === 'attribution');
  const bound = attribution
    ? `${attribution.label}: ${(attribution.rpsRatio * 100).toFixed(1)} % rps, ${(attribution.p99Ratio * 100).toFixed(1)} % p99 of hand-tuned (same run)`
    : 'no attribution variant applies: the known differences from the hand-tuned configuration are gone';
  const noisy =
    generated.cleanRounds < generated.runs.length
      ? ` (${generated.runs.length - generated.cleanRounds} of ${generated.runs.length} rounds disturbed by other jobs and left out)`
      : '';
  const rpsMet = generated.rpsRatio >= 0.95;
  const p99Met = generated.p99Ratio <= 1.1;
  return [
    {
      scenario: 'S1',
      driver,
      target: 'rps ≥ 95 % of hand-tuned',
      measured: `${(generated.rpsRatio * 100).toFixed(1)} %${noisy}`,
      met: rpsMet,
      ...(rpsMet ? {} : { missedBy: `${((0.95 - generated.rpsRatio) * 100).toFixed(1)} points`, bound }),
    },
    {
      scenario: 'S1',
      driver,
      target: 'p99 ≤ 110 % of hand-tuned',
      measured: `${(generated.p99Ratio * 100).toFixed(1)} %${noisy}`,
      met: p99Met,
      ...(p99Met ? {} : { missedBy: `${((generated.p99Ratio - 1.1) * 100).toFixed(1)} points`, bound }),
    },
  ];
}

export async function runS1(context: BenchContext): Promise<ScenarioResult> {
  const figures: Partial<Record<DriverName, SideFigures[]>> = {};
  for (const driver of context.drivers) figures[driver] = await measureDriver(context, driver);
  const rows: string[][] = [];
  const metrics: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  for (const driver of context.drivers) {
    const sides = figures[driver]!;
    for (const side of sides) {
      const rpsRange = `${formatNumber(Math.min(...side.runs.map((r) => r.rps)))}–${formatNumber(Math.max(...side.runs.map((r) => r.rps)))}`;
      const failed = side.runs.reduce((n, r) => n + r.failed, 0);
      rows.push([
        driver,
        side.label,
        formatNumber(side.rps),
        rpsRange,
        `${(side.rpsRatio * 100).toFixed(1)} %`,
        formatMs(side.p99Ms),
        `${(side.p99Ratio * 100).toFixed(1)} %`,
        `${side.cleanRounds}/${side.runs.length}`,
        String(failed),
        `${side.discarded} / ${side.disturbed} / ${(side.foreignShare * 100).toFixed(1)} %`,
      ]);
      if (side.role === 'attribution') continue;
      metrics[`${driver}.${side.role}.rps`] = side.rps;
      metrics[`${driver}.${side.role}.p99Ms`] = side.p99Ms;
    }
    const generated = sides.find((s) => s.role === 'generated')!;
    metrics[`${driver}.rpsRatio`] = generated.rpsRatio;
    metrics[`${driver}.p99Ratio`] = generated.p99Ratio;
    targets.push(...checks(driver, sides));
  }
  const durationS = context.quick ? 3 : 5;
  const markdown = [
    `wrk -t1 -c${CONNECTIONS} -d${durationS}s --latency (keep-alive) on one route; ${rounds(context)} rounds, each measuring every configuration once in a rotating order, 1 s warm-up before each measurement. Each measurement first waits (up to 60 s) for a quiet half second and is repeated (at most 3 times) when other jobs used more than max(20 ms, 5 %) of one CPU while it ran; the last column gives the repeats, the kept measurements still disturbed, and the largest share of one CPU other jobs took during a kept one. rps and p99 are medians over the rounds; the ratios are medians of the round-by-round ratios to the hand-tuned configuration, measured in the same run, over the rounds where neither side was disturbed. The attribution row is gateplane's generated file with one known difference from the hand-tuned one undone (hack/bench/s1Proxies.ts).`,
    '',
    table(
      [
        'driver',
        'configuration',
        'rps (median)',
        'rps range',
        'rps vs hand-tuned',
        'p99 (median)',
        'p99 vs hand-tuned',
        'rounds in ratios',
        'failed requests',
        'repeated / still disturbed / max other-jobs CPU',
      ],
      rows,
      ['l', 'l'],
    ),
  ].join('\n');
  return {
    id: 'S1',
    title: 'S1 throughput: generated vs hand-tuned configuration',
    settings: { connections: CONNECTIONS, durationS, rounds: rounds(context), workers: 1 },
    data: figures,
    metrics,
    targets,
    markdown,
  };
}
