/**
 * S2 propagation: routes are added one file at a time to a folder watched by the controller
 * (standalone `--watch`), and each addition is timed from the rename of its file to the first 200
 * on its new hostname (probe every 5 ms, new connection each), then probed 300 ms more to count
 * answers other than 200 once served.
 *
 * To keep the run bounded, the routes before each checkpoint are written in one burst (one file
 * each) and only the last additions before the checkpoint are measured, one by one: at 3,000
 * that is routes 2,971–3,000 with the 2,970 others present. All routes share one Service.
 */
import type { DriverName } from '../../operator/model/index.js';
import {
  phaseHeader,
  measureAddition,
  phaseMedians,
  phaseRow,
  quiesce,
  waitServed,
  type AdditionSample,
  type Phases,
} from './addition.js';
import {
  formatMs,
  scratch,
  table,
  type BenchContext,
  type ScenarioResult,
  type TargetCheck,
} from './context.js';
import { Controller } from './controller.js';
import {
  ManifestFolder,
  backendAddress,
  gatewayManifests,
  routeFiles,
  routeHost,
  serviceManifests,
} from './manifests.js';
import { profileMarkdown, withProfile, type ProfileSummary } from './cpuProfile.js';
import { measureQuietly } from './noise.js';
import { distribution, median, type Distribution } from './stats.js';

const GATEWAY_ADDRESS = '127.0.60.11';
const SERVICE = 'echo';
const TARGET_P50_MS: Record<DriverName, number> = { haproxy: 20, nginx: 150 };
/** What the propagation-floor note measured as the best a hand-written configuration can do. */
const REACHABLE: Record<DriverName, string> = {
  haproxy:
    '; a route to an existing Service on a host whose rules only match paths is a runtime map edit (no validate or reload before the first 200): what is left is the controller (file scan, incremental resolve, render and the config hash, staging the files) and the probe interval',
  nginx: '',
};

interface Checkpoint {
  readonly routes: number;
  readonly samples: readonly AdditionSample[];
  readonly firstOk: Distribution;
  readonly stable: Distribution;
  readonly failedAfterServed: number;
  readonly samplesWithFailures: number;
  readonly phaseMedians: Phases;
  /** Median per run of `perRun` samples: how stable p50 is between runs. */
  readonly runP50s: readonly number[];
  /** With `--profile`, at the last checkpoint: where the controller's CPU went. */
  readonly profile?: ProfileSummary;
  /** Additions repeated because other jobs used the CPU, and kept ones still disturbed. */
  readonly noise: { discarded: number; disturbed: number };
  /** ms to serve the burst of routes written before the measured additions. */
  readonly burstMs?: number;
}

function settings(context: BenchContext): { checkpoints: number[]; perRun: number } {
  return { checkpoints: context.quick ? [100, 300] : [300, 1000, 3000], perRun: 10 };
}

function routesFiles(from: number, to: number): { name: string; content: string }[] {
  return routeFiles(from, to, () => SERVICE);
}

async function measureDriver(context: BenchContext, driver: DriverName): Promise<Checkpoint[]> {
  const say = (message: string): void => context.progress.say(`S2 ${driver}`, message);
  const { checkpoints, perRun } = settings(context);
  const samplesPer = perRun * context.runs;
  const dir = await scratch(context, `s2-${driver}`);
  const folder = await ManifestFolder.create(dir);
  const firstFill = checkpoints[0]! - samplesPer;
  await folder.writeMany([
    { name: 'gateway.yaml', content: gatewayManifests(driver, GATEWAY_ADDRESS) },
    { name: 'service.yaml', content: serviceManifests(SERVICE, [backendAddress(1)]) },
    ...routesFiles(1, firstFill),
  ]);
  say(`starting gateplane with ${firstFill} routes`);
  const controller = await Controller.forScenario(context, driver, { manifests: folder.dir, dir });
  const results: Checkpoint[] = [];
  try {
    await controller.started();
    await waitServed(GATEWAY_ADDRESS, routeHost(firstFill), 120_000);
    let next = firstFill + 1;
    for (const routes of checkpoints) {
      const fillTo = routes - samplesPer;
      let burstMs: number | undefined;
      if (next <= fillTo) {
        say(`writing routes ${next}–${fillTo} in one burst`);
        await folder.writeMany(routesFiles(next, fillTo));
        burstMs = await waitServed(GATEWAY_ADDRESS, routeHost(fillTo), 600_000);
        next = fillTo + 1;
      }
      await quiesce(controller, 500);
      const samples: AdditionSample[] = [];
      const noise = { discarded: 0, disturbed: 0 };
      const additions = async (): Promise<void> => {
        for (let k = 0; k < samplesPer; k += 1) {
          const quiet = await measureQuietly(
            () =>
              measureAddition({
                controller,
                folder,
                gatewayAddress: GATEWAY_ADDRESS,
                index: next++,
                service: SERVICE,
                timeoutMs: 60_000,
              }),
            { retries: 2, maxWaitMs: 5000 },
          );
          const sample = quiet.value;
          samples.push(sample);
          noise.discarded += quiet.discarded;
          noise.disturbed += quiet.disturbed ? 1 : 0;
          const p = sample.propagation;
          say(
            `${routes} routes, addition ${k + 1}/${samplesPer} (route ${sample.index}): first 200 ${formatMs(p.firstOkMs)}, stable ${formatMs(p.stableMs)}${p.failedAfterServed > 0 ? `, ${p.failedAfterServed} non-200 after served` : ''}`,
          );
        }
      };
      // Only the last checkpoint is profiled: it is the one the targets are about.
      let profile: ProfileSummary | undefined;
      if (routes === checkpoints.at(-1))
        profile = (await withProfile(context, controller, { name: `s2-${driver}-${routes}` }, additions))
          .profile;
      else await additions();
      const runP50s = [];
      for (let run = 0; run < context.runs; run += 1)
        runP50s.push(
          median(samples.slice(run * perRun, (run + 1) * perRun).map((s) => s.propagation.firstOkMs!)),
        );
      results.push({
        routes,
        samples,
        firstOk: distribution(samples.map((s) => s.propagation.firstOkMs!)),
        stable: distribution(
          samples.map((s) => s.propagation.stableMs ?? Number.NaN).filter(Number.isFinite),
        ),
        failedAfterServed: samples.reduce((n, s) => n + s.propagation.failedAfterServed, 0),
        samplesWithFailures: samples.filter((s) => s.propagation.failedAfterServed > 0).length,
        phaseMedians: phaseMedians(samples),
        runP50s,
        noise,
        ...(profile ? { profile } : {}),
        ...(burstMs === undefined ? {} : { burstMs }),
      });
    }
  } finally {
    await controller.stop();
  }
  return results;
}

/** The largest phases of a breakdown, as `validate 140 ms + reload 90 ms + ...`. */
export function biggestPhases(phases: Phases, count = 3): string {
  return Object.entries(phases)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `${name} ${formatMs(ms)}`)
    .join(' + ');
}

function checks(context: BenchContext, driver: DriverName, last: Checkpoint): TargetCheck[] {
  const target = TARGET_P50_MS[driver];
  const p50 = last.firstOk.p50;
  const where = context.quick ? ` (quick run: at ${last.routes} routes, not 3,000)` : '';
  const out: TargetCheck[] = [
    {
      scenario: 'S2',
      driver,
      target: `p50 ≤ ${target} ms at 3,000 routes${where}`,
      measured: formatMs(p50),
      met: p50 <= target,
      ...(p50 <= target
        ? {}
        : {
            missedBy: `+${formatMs(p50 - target)} (${(p50 / target).toFixed(1)}×)`,
            bound: `median breakdown: ${biggestPhases(last.phaseMedians)}${REACHABLE[driver]}`,
          }),
    },
  ];
  const failed = last.failedAfterServed;
  out.push({
    scenario: 'S2',
    driver,
    target: `0 non-200 once served${where}`,
    measured: `${failed} in ${last.samplesWithFailures}/${last.samples.length} additions`,
    met: failed === 0,
    ...(failed === 0
      ? {}
      : {
          missedBy: `${failed} answers`,
          bound:
            driver === 'nginx'
              ? 'old worker keeps accepting for nginx’s fixed 100 ms after the new one starts (stable p50 vs first-200 p50)'
              : 'see breakdown',
        }),
  });
  return out;
}

function phaseTable(context: BenchContext, all: Partial<Record<DriverName, Checkpoint[]>>): string {
  const rows = context.drivers.flatMap((driver) =>
    (all[driver] ?? []).map((c) => phaseRow([driver, String(c.routes)], c.samples)),
  );
  return table(phaseHeader(['driver', 'routes']), rows, ['l']);
}

export async function runS2(context: BenchContext): Promise<ScenarioResult> {
  const all: Partial<Record<DriverName, Checkpoint[]>> = {};
  for (const driver of context.drivers) all[driver] = await measureDriver(context, driver);
  const rows: string[][] = [];
  const metrics: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  for (const driver of context.drivers) {
    const checkpoints = all[driver]!;
    for (const c of checkpoints) {
      rows.push([
        driver,
        c.routes.toLocaleString('en-US'),
        String(c.samples.length),
        formatMs(c.firstOk.p50),
        formatMs(c.firstOk.p99),
        formatMs(c.firstOk.max),
        c.runP50s.map((v) => formatMs(v)).join(', '),
        formatMs(c.stable.p50),
        `${c.failedAfterServed} (${c.samplesWithFailures}/${c.samples.length})`,
        formatMs(c.burstMs),
        `${c.noise.discarded} / ${c.noise.disturbed}`,
      ]);
      metrics[`${driver}.${c.routes}.p50Ms`] = c.firstOk.p50;
      metrics[`${driver}.${c.routes}.p99Ms`] = c.firstOk.p99;
      metrics[`${driver}.${c.routes}.stableP50Ms`] = c.stable.p50;
      metrics[`${driver}.${c.routes}.nonOkAfterServed`] = c.failedAfterServed;
    }
    const last = checkpoints.at(-1);
    if (last) targets.push(...checks(context, driver, last));
  }
  const { checkpoints, perRun } = settings(context);
  const markdown = [
    `Each row: ${perRun * context.runs} routes added one at a time (${context.runs} runs of ${perRun}) with the given number present; time from the rename of the route's file to the first 200 on its hostname (probe every 5 ms on a new connection). "Stable" is the first 200 after which no probe got anything else (nginx's old worker keeps answering 404 for ~100 ms). "Non-200 once served" counts probes started after the first 200 that got something else, in the 300 ms after it. The routes before each checkpoint were written in one burst (time to serve it in the last column). All routes share one Service. An addition during which other jobs used more than max(20 ms, 5 %) of one CPU was repeated with the next route (at most twice), as in the propagation-floor note.`,
    '',
    table(
      [
        'driver',
        'routes present',
        'additions',
        'first 200 p50',
        'p99',
        'max',
        'p50 per run',
        'stable p50',
        'non-200 once served (additions)',
        'burst served in',
        'repeated / still disturbed',
      ],
      rows,
      ['l'],
    ),
    '',
    'Where the time goes (median of each step over the additions; the steps run one after another, so they add up to about the first-200 time):',
    '',
    phaseTable(context, all),
    '',
    '`notify`: rename → inotify event; `scan`: the next event-loop turn, then the controller stats the new file and parses it; `resolveAndCoalesce`: the resolve of the new store version, reusing what did not change (standalone has no coalescing window); `render`: every render call of the change; `liveCheck`: the HAProxy driver finding that the change cannot be applied live; `stage`: writing the candidate; `validate`: `nginx -t` / `haproxy -c`; `commit`: rename into place; `reload`: the reload call (nginx: SIGHUP; HAProxy: SIGUSR2 until the master reports the reload done, polled every 20 ms, so it can end after the first 200); `applyLive`: the HAProxy runtime map and server commands (validate and commit then follow, after traffic moved, and are not counted); `untilServed`: reload call or live update returned → first 200.',
  ].join('\n');
  const profiles = context.drivers.flatMap((driver) =>
    (all[driver] ?? []).flatMap((c) =>
      c.profile
        ? [profileMarkdown(`Controller CPU during the ${c.routes}-route additions, ${driver}`, c.profile)]
        : [],
    ),
  );
  return {
    id: 'S2',
    title: 'S2 propagation: routes added one by one',
    settings: {
      checkpoints,
      additionsPerCheckpoint: perRun * context.runs,
      probeIntervalMs: 5,
      settleMs: 300,
    },
    data: all,
    metrics,
    targets,
    markdown: [markdown, ...profiles].join('\n\n'),
  };
}
