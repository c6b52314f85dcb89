/**
 * S3 route edits under traffic: one route's backend flips between two Services 20 times, every
 * 200 ms (a change that needs a reload on both drivers), while wrk loads another route over
 * keep-alive connections and a probe asks a third one on a new connection every 10 ms. Failed
 * requests are counted separately for keep-alive connections (wrk: non-2xx and socket errors)
 * and for new connections (the probe).
 */
import type { DriverName } from '../../operator/model/index.js';
import { quiesce, waitServed } from './addition.js';
import { sleep } from './clock.js';
import {
  formatNumber,
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
  routeManifest,
  serviceManifests,
} from './manifests.js';
import { cpuShare, cpuSnapshot, foreignMs, waitQuiet } from './noise.js';
import { median } from './stats.js';
import {
  TRAFFIC_CONNECTIONS,
  TRAFFIC_PROBE_INTERVAL_MS,
  failureSummary,
  underLoad,
  type UnderLoad,
} from './traffic.js';

const GATEWAY_ADDRESS = '127.0.60.12';
const ROUTES = 100;
const FLIPS = 20;
const FLIP_INTERVAL_MS = 200;
const FLIP_HOST = 'flip.bench.example';

interface Run extends UnderLoad {
  /** Share of one CPU other jobs used during the run. */
  readonly foreignShare: number;
  readonly flips: number;
  readonly reloads: number;
  readonly validations: number;
}

async function flip(folder: ManifestFolder): Promise<void> {
  const start = Date.now();
  for (let i = 1; i <= FLIPS; i += 1) {
    await folder.write('flip.yaml', routeManifest('flip', FLIP_HOST, i % 2 === 1 ? 'svc-b' : 'svc-a'));
    const wait = start + i * FLIP_INTERVAL_MS - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

async function measureDriver(context: BenchContext, driver: DriverName): Promise<Run[]> {
  const say = (message: string): void => context.progress.say(`S3 ${driver}`, message);
  const dir = await scratch(context, `s3-${driver}`);
  const folder = await ManifestFolder.create(dir);
  await folder.writeMany([
    { name: 'gateway.yaml', content: gatewayManifests(driver, GATEWAY_ADDRESS) },
    { name: 'svc-a.yaml', content: serviceManifests('svc-a', [backendAddress(1)]) },
    { name: 'svc-b.yaml', content: serviceManifests('svc-b', [backendAddress(2)]) },
    { name: 'flip.yaml', content: routeManifest('flip', FLIP_HOST, 'svc-a') },
    ...routeFiles(1, ROUTES, () => 'svc-a'),
  ]);
  say(`starting gateplane with ${ROUTES + 1} routes`);
  const controller = await Controller.forScenario(context, driver, { manifests: folder.dir, dir });
  const runs: Run[] = [];
  try {
    await controller.started();
    await waitServed(GATEWAY_ADDRESS, routeHost(ROUTES), 60_000);
    await waitServed(GATEWAY_ADDRESS, FLIP_HOST, 60_000);
    for (let run = 0; run < context.runs; run += 1) {
      await quiesce(controller, 500);
      await waitQuiet(10_000);
      const cpuFrom = cpuSnapshot();
      const from = Date.now();
      const traffic = await underLoad(context, {
        address: GATEWAY_ADDRESS,
        loadHost: routeHost(2),
        probeHost: routeHost(1),
        changeS: (FLIPS * FLIP_INTERVAL_MS) / 1000,
        change: () => flip(folder),
      });
      const events = controller.between(from, Date.now());
      const cpuTo = cpuSnapshot();
      const result: Run = {
        ...traffic,
        foreignShare: cpuShare(foreignMs(cpuFrom, cpuTo), cpuTo.t - cpuFrom.t),
        flips: FLIPS,
        reloads: events.filter((e) => e.kind === 'reload').length,
        validations: events.filter((e) => e.kind === 'validate').length,
      };
      runs.push(result);
      say(
        `run ${run + 1}/${context.runs}: ${result.reloads} reloads; wrk ${formatNumber(traffic.wrk.requests)} requests, ${traffic.wrk.failed} failed; probe ${traffic.probe.total} requests, failures ${failureSummary(traffic.probe)}`,
      );
    }
  } finally {
    await controller.stop();
  }
  return runs;
}

function checks(driver: DriverName, runs: readonly Run[]): TargetCheck[] {
  const keepAlive = runs.reduce((n, r) => n + r.wrk.failed, 0);
  const fresh = runs.reduce((n, r) => n + (r.probe.total - r.probe.ok), 0);
  const where = `in ${runs.length} run(s) of ${FLIPS} flips`;
  if (driver === 'haproxy') {
    const failed = keepAlive + fresh;
    return [
      {
        scenario: 'S3',
        driver,
        target: '0 failed requests',
        measured: `${failed} ${where}`,
        met: failed === 0,
        ...(failed === 0
          ? {}
          : { missedBy: `${failed} requests`, bound: `keep-alive ${keepAlive}, new connections ${fresh}` }),
      },
    ];
  }
  return [
    {
      scenario: 'S3',
      driver,
      target: '0 failed requests on new connections',
      measured: `${fresh} ${where}`,
      met: fresh === 0,
      ...(fresh === 0 ? {} : { missedBy: `${fresh} requests`, bound: 'see the probe failures in S3' }),
    },
    {
      scenario: 'S3',
      driver,
      target: 'keep-alive failures bounded and reported',
      measured: `${keepAlive} ${where} (${(
        keepAlive /
        Math.max(
          1,
          runs.reduce((n, r) => n + r.reloads, 0),
        )
      ).toFixed(1)} per reload)`,
      met: true,
    },
  ];
}

export async function runS3(context: BenchContext): Promise<ScenarioResult> {
  const all: Partial<Record<DriverName, Run[]>> = {};
  for (const driver of context.drivers) all[driver] = await measureDriver(context, driver);
  const rows: string[][] = [];
  const metrics: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  for (const driver of context.drivers) {
    const runs = all[driver]!;
    runs.forEach((r, i) => {
      const s = r.wrk.socketErrors;
      rows.push([
        driver,
        String(i + 1),
        String(r.reloads),
        formatNumber(r.wrk.requests),
        formatNumber(r.wrk.rps),
        String(r.wrk.non2xx),
        `${s.connect} / ${s.read} / ${s.write} / ${s.timeout}`,
        String(r.probe.total),
        failureSummary(r.probe),
        `${(r.foreignShare * 100).toFixed(1)} %`,
      ]);
    });
    metrics[`${driver}.keepAliveFailed`] = median(runs.map((r) => r.wrk.failed));
    metrics[`${driver}.newConnectionFailed`] = median(runs.map((r) => r.probe.total - r.probe.ok));
    metrics[`${driver}.reloads`] = median(runs.map((r) => r.reloads));
    metrics[`${driver}.rps`] = median(runs.map((r) => r.wrk.rps));
    targets.push(...checks(driver, runs));
  }
  const markdown = [
    `${ROUTES + 1} routes. One route flips its backend (Service svc-a ↔ svc-b) ${FLIPS} times, every ${FLIP_INTERVAL_MS} ms, while wrk -t1 -c${TRAFFIC_CONNECTIONS} loads another route over keep-alive connections (1 s before the first flip to 1 s after the last) and a probe asks a third route on a new connection every ${TRAFFIC_PROBE_INTERVAL_MS} ms. Reloads: as counted in the controller (flips that arrive during a reload are coalesced).`,
    '',
    table(
      [
        'driver',
        'run',
        'reloads',
        'wrk requests',
        'wrk rps',
        'wrk non-2xx',
        'wrk socket errors connect / read / write / timeout',
        'probe requests',
        'probe failures',
        'other jobs CPU',
      ],
      rows,
      ['l'],
    ),
  ].join('\n');
  return {
    id: 'S3',
    title: 'S3 route edits under traffic',
    settings: {
      routes: ROUTES + 1,
      flips: FLIPS,
      flipIntervalMs: FLIP_INTERVAL_MS,
      wrkConnections: TRAFFIC_CONNECTIONS,
      probeIntervalMs: TRAFFIC_PROBE_INTERVAL_MS,
    },
    data: all,
    metrics,
    targets,
    markdown,
  };
}
