/**
 * S6 endpoint churn: the Service behind one route goes 1 → 50 → 1 → … endpoints, its
 * EndpointSlice rewritten every 2 s, while wrk loads that route over keep-alive connections and
 * a probe asks it on a new connection every 10 ms. Counts the reloads the changes cost (HAProxy
 * can apply endpoint-only changes through its runtime API; nginx reloads) and failed requests.
 */
import type { DriverName } from '../../operator/model/index.js';
import { BACKEND_ADDRESSES } from './backend.js';
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

const GATEWAY_ADDRESS = '127.0.60.13';
const HOST = 'churn.bench.example';
const OTHER_ROUTES = 10;
const INTERVAL_MS = 2000;

interface Transition {
  readonly to: number;
  readonly reloads: number;
  readonly live: number;
  readonly liveRefused: number;
}

interface Run extends UnderLoad {
  /** Share of one CPU other jobs used during the run. */
  readonly foreignShare: number;
  readonly transitions: readonly Transition[];
  readonly reloads: number;
  readonly liveUpdates: number;
}

function endpoints(count: number): string[] {
  return Array.from({ length: count }, (_, i) => backendAddress(i + 1));
}

async function measureDriver(context: BenchContext, driver: DriverName): Promise<Run[]> {
  const say = (message: string): void => context.progress.say(`S6 ${driver}`, message);
  const transitionsPerRun = context.quick ? 4 : 6;
  const dir = await scratch(context, `s6-${driver}`);
  const folder = await ManifestFolder.create(dir);
  await folder.writeMany([
    { name: 'gateway.yaml', content: gatewayManifests(driver, GATEWAY_ADDRESS) },
    { name: 'other.yaml', content: serviceManifests('other', [backendAddress(1)]) },
    { name: 'churn-service.yaml', content: serviceManifests('churn', endpoints(1)) },
    { name: 'churn-route.yaml', content: routeManifest('churn', HOST, 'churn') },
    ...routeFiles(1, OTHER_ROUTES, () => 'other'),
  ]);
  say('starting gateplane');
  const controller = await Controller.forScenario(context, driver, { manifests: folder.dir, dir });
  const runs: Run[] = [];
  try {
    await controller.started();
    await waitServed(GATEWAY_ADDRESS, HOST, 60_000);
    for (let run = 0; run < context.runs; run += 1) {
      await quiesce(controller, 500);
      await waitQuiet(10_000);
      const cpuFrom = cpuSnapshot();
      const transitions: Transition[] = [];
      const from = Date.now();
      const churn = async (): Promise<void> => {
        for (let i = 0; i < transitionsPerRun; i += 1) {
          const to = i % 2 === 0 ? BACKEND_ADDRESSES : 1;
          const start = Date.now();
          await folder.write('churn-service.yaml', serviceManifests('churn', endpoints(to)));
          await sleep(start + INTERVAL_MS - Date.now());
          const events = controller.between(start, Date.now());
          transitions.push({
            to,
            reloads: events.filter((e) => e.kind === 'reload').length,
            live: events.filter((e) => e.kind === 'applyLive' && e.ok === true).length,
            liveRefused: events.filter((e) => e.kind === 'applyLive' && e.ok === false).length,
          });
        }
      };
      const traffic = await underLoad(context, {
        address: GATEWAY_ADDRESS,
        loadHost: HOST,
        probeHost: HOST,
        changeS: (transitionsPerRun * INTERVAL_MS) / 1000,
        change: churn,
      });
      const events = controller.between(from, Date.now());
      const cpuTo = cpuSnapshot();
      const result: Run = {
        ...traffic,
        foreignShare: cpuShare(foreignMs(cpuFrom, cpuTo), cpuTo.t - cpuFrom.t),
        transitions,
        reloads: events.filter((e) => e.kind === 'reload').length,
        liveUpdates: events.filter((e) => e.kind === 'applyLive' && e.ok === true).length,
      };
      runs.push(result);
      say(
        `run ${run + 1}/${context.runs}: ${transitionsPerRun} changes, ${result.reloads} reloads, ${result.liveUpdates} live updates; wrk ${formatNumber(traffic.wrk.requests)} requests, ${traffic.wrk.failed} failed; probe failures ${failureSummary(traffic.probe)}`,
      );
      // Every run starts from one endpoint.
      if (transitionsPerRun % 2 === 1) {
        await folder.write('churn-service.yaml', serviceManifests('churn', endpoints(1)));
        await sleep(INTERVAL_MS);
      }
    }
  } finally {
    await controller.stop();
  }
  return runs;
}

function checks(driver: DriverName, runs: readonly Run[]): TargetCheck[] {
  const keepAlive = runs.reduce((n, r) => n + r.wrk.failed, 0);
  const fresh = runs.reduce((n, r) => n + (r.probe.total - r.probe.ok), 0);
  const reloads = runs.reduce((n, r) => n + r.reloads, 0);
  const changes = runs.reduce((n, r) => n + r.transitions.length, 0);
  const where = `in ${changes} endpoint changes`;
  if (driver === 'nginx') {
    return [
      {
        scenario: 'S6',
        driver,
        target: '0 failed requests on new connections',
        measured: `${fresh} ${where}`,
        met: fresh === 0,
        ...(fresh === 0 ? {} : { missedBy: `${fresh} requests`, bound: 'see the probe failures in S6' }),
      },
      {
        scenario: 'S6',
        driver,
        target: 'keep-alive failures bounded and reported',
        measured: `${keepAlive} ${where} (${reloads} reloads)`,
        met: true,
      },
    ];
  }
  const failed = keepAlive + fresh;
  const upReloads = runs.flatMap((r) => r.transitions).filter((t) => t.to > 1 && t.reloads > 0).length;
  return [
    {
      scenario: 'S6',
      driver,
      target: '0 failed requests',
      measured: `${failed} ${where}`,
      met: failed === 0,
      ...(failed === 0
        ? {}
        : { missedBy: `${failed} requests`, bound: `keep-alive ${keepAlive}, new connections ${fresh}` }),
    },
    {
      scenario: 'S6',
      driver,
      target: '0 reloads for endpoint-only changes',
      measured: `${reloads} ${where}`,
      met: reloads === 0,
      ...(reloads === 0
        ? {}
        : {
            missedBy: `${reloads} reloads`,
            bound: `${upReloads} scale-up(s) needed more server slots than the running configuration had (drivers/haproxy/slots.ts), so they reloaded`,
          }),
    },
  ];
}

export async function runS6(context: BenchContext): Promise<ScenarioResult> {
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
        r.transitions
          .map((t) => `→${t.to}: ${t.reloads > 0 ? `reload` : t.live > 0 ? 'live' : 'none'}`)
          .join(', '),
        String(r.reloads),
        String(r.liveUpdates),
        formatNumber(r.wrk.requests),
        String(r.wrk.non2xx),
        `${s.connect} / ${s.read} / ${s.write} / ${s.timeout}`,
        String(r.probe.total),
        failureSummary(r.probe),
        `${(r.foreignShare * 100).toFixed(1)} %`,
      ]);
    });
    metrics[`${driver}.reloads`] = runs.reduce((n, r) => n + r.reloads, 0);
    metrics[`${driver}.keepAliveFailed`] = median(runs.map((r) => r.wrk.failed));
    metrics[`${driver}.newConnectionFailed`] = median(runs.map((r) => r.probe.total - r.probe.ok));
    targets.push(...checks(driver, runs));
  }
  const markdown = [
    `One route's Service goes 1 → ${BACKEND_ADDRESSES} → 1 → … endpoints (${context.quick ? 4 : 6} changes per run, one every ${INTERVAL_MS / 1000} s) under wrk -t1 -c${TRAFFIC_CONNECTIONS} (keep-alive) and a probe on a new connection every ${TRAFFIC_PROBE_INTERVAL_MS} ms, both on that route; ${OTHER_ROUTES} other routes present. Each change shows how it was applied: a reload, or live through HAProxy's runtime API.`,
    '',
    table(
      [
        'driver',
        'run',
        'changes',
        'reloads',
        'live updates',
        'wrk requests',
        'wrk non-2xx',
        'wrk socket errors c / r / w / t',
        'probe requests',
        'probe failures',
        'other jobs CPU',
      ],
      rows,
      ['l', 'r', 'l'],
    ),
  ].join('\n');
  return {
    id: 'S6',
    title: 'S6 endpoint churn under load',
    settings: {
      endpointsHigh: BACKEND_ADDRESSES,
      intervalMs: INTERVAL_MS,
      changesPerRun: context.quick ? 4 : 6,
    },
    data: all,
    metrics,
    targets,
    markdown,
  };
}
