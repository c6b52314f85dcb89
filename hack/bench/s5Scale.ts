/**
 * S5 scale: a Gateway with 1,000 / 5,000 / 10,000 routes (one file each, one Service per 10
 * routes). For each size: the cold start (controller start → proxy serving), then single route
 * additions (the incremental case) timed as in S2, with the controller's render and validate
 * times, the proxy's memory sampled every 10 ms during the reload and read again once the old
 * worker has gone, and the controller's own memory. Resolve and render are also timed in the
 * bench process on an idle CPU (offlineRender.ts).
 */
import type { DriverName } from '../../operator/model/index.js';
import { measureAddition, phaseHeader, phaseRow, quiesce, waitServed } from './addition.js';
import { now } from './clock.js';
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
  ManifestFolder,
  backendAddress,
  gatewayManifests,
  routeFiles,
  routeHost,
  serviceManifests,
} from './manifests.js';
import { MemorySampler, proxyMemory } from './memory.js';
import { offlineTimes } from './offlineRender.js';
import { heapMarkdown, profileMarkdown, withProfile } from './cpuProfile.js';
import { measureQuietly } from './noise.js';
import { median } from './stats.js';
import type { ControllerMemory } from './controllerEvents.js';
import { TARGET_SIZE, s5Checks, type Addition, type Size } from './s5Targets.js';

const GATEWAY_ADDRESS = '127.0.60.14';
const ROUTES_PER_SERVICE = 10;

function manifests(driver: DriverName, routes: number): { name: string; content: string }[] {
  const services = Math.ceil(routes / ROUTES_PER_SERVICE);
  const files = [{ name: 'gateway.yaml', content: gatewayManifests(driver, GATEWAY_ADDRESS) }];
  for (let j = 0; j < services; j += 1)
    files.push({ name: `svc-${j}.yaml`, content: serviceManifests(`svc-${j}`, [backendAddress(1)]) });
  return [...files, ...routeFiles(1, routes, serviceOf)];
}

function profileSize(context: BenchContext): number {
  return context.quick ? 1000 : TARGET_SIZE;
}

function serviceOf(route: number): string {
  return `svc-${Math.floor((route - 1) / ROUTES_PER_SERVICE)}`;
}

/** `context.runs` single-route additions, each with the proxy's memory sampled during it. */
async function measureAdditions(
  context: BenchContext,
  options: { controller: Controller; folder: ManifestFolder; routes: number; say: (message: string) => void },
): Promise<{ additions: Addition[]; noise: { discarded: number; disturbed: number } }> {
  const { controller, folder, routes, say } = options;
  const additions: Addition[] = [];
  const noise = { discarded: 0, disturbed: 0 };
  let next = routes + 1;
  for (let k = 0; k < context.runs; k += 1) {
    let sampler = new MemorySampler(() => controller.proxyPid);
    const quiet = await measureQuietly(
      async () => {
        sampler = new MemorySampler(() => controller.proxyPid).start(10);
        try {
          return await measureAddition({
            controller,
            folder,
            gatewayAddress: GATEWAY_ADDRESS,
            index: next++,
            service: serviceOf(1),
            timeoutMs: 300_000,
          });
        } finally {
          sampler.stop();
        }
      },
      { retries: 1, maxWaitMs: 5000 },
    );
    const sample = quiet.value;
    noise.discarded += quiet.discarded;
    noise.disturbed += quiet.disturbed ? 1 : 0;
    const after = proxyMemory(controller.proxyPid!);
    additions.push({
      sample,
      duringPeakWorkerMiB: sampler.peakWorkerMiB,
      duringPeakTotalMiB: sampler.peakTotalMiB,
      duringPeakProcesses: sampler.peakProcesses,
      after,
      controllerMiB: controller.rssMiB() ?? Number.NaN,
    });
    say(
      `${routes} routes, addition ${k + 1}/${context.runs}: served ${formatMs(sample.propagation.firstOkMs)}; render ${sample.renderMs.map((ms) => formatMs(ms)).join(' + ')}, validate ${formatMs(sample.validateMs)}; worker peak ${formatNumber(sampler.peakWorkerMiB, 1)} MiB, after ${formatNumber(after.workersMiB[0], 1)} MiB`,
    );
  }
  return { additions, noise };
}

/** The controller's memory serving a Gateway without routes: what any size starts from. */
async function controllerBaseline(context: BenchContext, driver: DriverName): Promise<ControllerMemory> {
  const dir = await scratch(context, `s5-${driver}-0`);
  const folder = await ManifestFolder.create(dir);
  await folder.writeMany([{ name: 'gateway.yaml', content: gatewayManifests(driver, GATEWAY_ADDRESS) }]);
  const controller = await Controller.forScenario(context, driver, { manifests: folder.dir, dir });
  try {
    await controller.started();
    await quiesce(controller, 1000);
    return await controller.memory();
  } finally {
    await controller.stop();
  }
}

async function measureSize(context: BenchContext, driver: DriverName, routes: number): Promise<Size> {
  const say = (message: string): void => context.progress.say(`S5 ${driver}`, message);
  const dir = await scratch(context, `s5-${driver}-${routes}`);
  const folder = await ManifestFolder.create(dir);
  say(
    `${routes} routes: writing ${routes} route files and ${Math.ceil(routes / ROUTES_PER_SERVICE)} Services`,
  );
  await folder.writeMany(manifests(driver, routes));
  const t0 = now();
  const controller = await Controller.forScenario(
    context,
    driver,
    { manifests: folder.dir, dir },
    context.profileDir !== undefined && routes === profileSize(context),
  );
  let size: Omit<Size, 'offline'>;
  try {
    say(`${routes} routes: cold start`);
    const pid = await controller.started(600_000);
    await waitServed(GATEWAY_ADDRESS, routeHost(routes), 600_000);
    const servedMs = now() - t0;
    const coldEvents = controller.between(t0, now());
    await quiesce(controller, 500);
    const cold = {
      servedMs,
      renderMs: coldEvents.filter((e) => e.kind === 'render').map((e) => e.ms ?? 0),
      ...(coldEvents.find((e) => e.kind === 'validate')?.ms === undefined
        ? {}
        : { validateMs: coldEvents.find((e) => e.kind === 'validate')!.ms! }),
      memory: proxyMemory(pid),
      controllerMiB: controller.rssMiB() ?? Number.NaN,
    };
    say(
      `${routes} routes: served ${formatMs(servedMs)} after start; proxy ${formatNumber(cold.memory.totalMiB, 1)} MiB, controller ${formatNumber(cold.controllerMiB, 1)} MiB`,
    );
    const additionsAt = (): ReturnType<typeof measureAdditions> =>
      measureAdditions(context, { controller, folder, routes, say });
    // Only the size the targets are about is profiled.
    const profiled =
      routes === profileSize(context)
        ? await withProfile(context, controller, { name: `s5-${driver}-${routes}`, heap: true }, additionsAt)
        : { value: await additionsAt(), profile: undefined };
    const { additions, noise } = profiled.value;
    const m = (pick: (a: Addition) => number | undefined): number =>
      median(additions.map(pick).filter((v): v is number => v !== undefined));
    size = {
      routes,
      services: Math.ceil(routes / ROUTES_PER_SERVICE),
      cold,
      additions,
      noise,
      ...(profiled.profile ? { profile: profiled.profile } : {}),
      ...(profiled.heap ? { heap: profiled.heap } : {}),
      controllerMemory: await controller.memory(),
      controllerPeakMiB: controller.peakRssMiB() ?? Number.NaN,
      incremental: {
        renderPerCallMs: median(additions.flatMap((a) => a.sample.renderMs)),
        renderPerChangeMs: m((a) => a.sample.renderMs.reduce((x, y) => x + y, 0)),
        renderCalls: m((a) => a.sample.renders),
        validateMs: m((a) => a.sample.validateMs),
        reloadMs: m((a) => a.sample.reloadMs),
        servedMs: m((a) => a.sample.propagation.firstOkMs),
        peakWorkerMiB: Math.max(...additions.map((a) => a.duringPeakWorkerMiB)),
        afterWorkerMiB: Math.max(...additions.map((a) => a.after.workersMiB[0] ?? 0)),
        peakTotalMiB: Math.max(...additions.map((a) => a.duringPeakTotalMiB)),
        afterTotalMiB: Math.max(...additions.map((a) => a.after.totalMiB)),
      },
    };
  } finally {
    await controller.stop();
  }
  say(`${routes} routes: timing resolve and render in the bench process`);
  return { ...size, offline: await offlineTimes(folder.dir, driver) };
}

export async function runS5(context: BenchContext): Promise<ScenarioResult> {
  const sizes = context.quick ? [1000] : [1000, 5000, 10000];
  const all: Partial<Record<DriverName, Size[]>> = {};
  const baselines: Partial<Record<DriverName, ControllerMemory>> = {};
  for (const driver of context.drivers) {
    baselines[driver] = await controllerBaseline(context, driver);
    all[driver] = [];
    for (const routes of sizes) {
      all[driver].push({ ...(await measureSize(context, driver, routes)), baseline: baselines[driver] });
    }
  }
  const rows: string[][] = [];
  const metrics: Record<string, number> = {};
  const targets: TargetCheck[] = [];
  for (const driver of context.drivers) {
    for (const s of all[driver]!) {
      const i = s.incremental;
      rows.push([
        driver,
        s.routes.toLocaleString('en-US'),
        `${formatNumber(s.offline.configBytes / 1024)} KiB`,
        `${formatMs(s.offline.resolveMs)} / ${formatMs(s.offline.changeResolveMs)}`,
        `${formatMs(i.renderPerChangeMs)} (${formatMs(i.renderPerCallMs)})`,
        formatMs(i.validateMs),
        formatMs(i.servedMs),
        formatMs(s.cold.servedMs),
        `${formatNumber(i.peakWorkerMiB, 1)} / ${formatNumber(i.afterWorkerMiB, 1)}`,
        `${formatNumber(i.peakTotalMiB, 1)} / ${formatNumber(i.afterTotalMiB, 1)}`,
        `${formatNumber(s.controllerPeakMiB, 1)} / ${formatNumber(s.additions.at(-1)?.controllerMiB, 1)}`,
        `${formatNumber(s.controllerMemory.heapUsed, 0)} / ${formatNumber(s.controllerMemory.heapTotal, 0)}`,
        `${s.noise.discarded} / ${s.noise.disturbed}`,
      ]);
      const key = `${driver}.${s.routes}`;
      metrics[`${key}.renderPerChangeMs`] = i.renderPerChangeMs;
      metrics[`${key}.validateMs`] = i.validateMs;
      metrics[`${key}.servedMs`] = i.servedMs;
      metrics[`${key}.coldServedMs`] = s.cold.servedMs;
      metrics[`${key}.peakWorkerMiB`] = i.peakWorkerMiB;
      metrics[`${key}.afterWorkerMiB`] = i.afterWorkerMiB;
      metrics[`${key}.controllerPeakMiB`] = s.controllerPeakMiB;
      metrics[`${key}.resolveMs`] = s.offline.resolveMs;
      metrics[`${key}.changeResolveMs`] = s.offline.changeResolveMs;
    }
    const target = all[driver]!.find((s) => s.routes === TARGET_SIZE) ?? all[driver]!.at(-1);
    if (target) targets.push(...s5Checks(driver, target));
  }
  const markdown = [
    `Routes are one file each, one Service (one endpoint) per ${ROUTES_PER_SERVICE} routes. "Incremental" figures are medians over ${context.runs} single-route additions at that size (memory: the largest over them); render per change is every render call of a change, per call in parentheses. "Resolve (idle CPU)" is, timed in the bench process after the controller had stopped (median of 5 after 2 warm-ups), the resolve of that many routes from scratch (what a start costs) / of one more route reusing the previous resolution (what a change costs: the controller's Resolver). RSS is VmRSS; during = peak sampled every 10 ms from the write until the old worker exited, after = once it had exited. Controller: peak (VmHWM since start) / settled after the last addition. An addition disturbed by other jobs (as in S2) was repeated once.`,
    '',
    table(
      [
        'driver',
        'routes',
        'config',
        'resolve (idle CPU): all / change',
        'render per change (per call)',
        'validate',
        'apply → served',
        'cold start → served',
        'worker RSS during / after (MiB)',
        'proxy total during / after (MiB)',
        'controller RSS peak / settled (MiB)',
        'controller V8 heap used / reserved (MiB)',
        'repeated / still disturbed',
      ],
      rows,
      ['l'],
    ),
    '',
    `Controller serving a Gateway with no route (Node 20 + tsx + gateplane's modules): ${context.drivers.map((d) => `${d} ${formatNumber(baselines[d]?.rss, 0)} MiB RSS, ${formatNumber(baselines[d]?.heapUsed, 0)} MiB heap used`).join('; ')}.`,
    '',
    'Where the time of an incremental addition goes (medians; phases as in S2):',
    '',
    table(
      phaseHeader(['driver', 'routes']),
      context.drivers.flatMap((driver) =>
        all[driver]!.map((s) =>
          phaseRow(
            [driver, s.routes.toLocaleString('en-US')],
            s.additions.map((a) => a.sample),
          ),
        ),
      ),
      ['l'],
    ),
  ].join('\n');
  const profiles = context.drivers.flatMap((driver) =>
    all[driver]!.flatMap((size) => [
      ...(size.profile
        ? [
            profileMarkdown(
              `Controller CPU during the additions at ${size.routes} routes, ${driver}`,
              size.profile,
            ),
          ]
        : []),
      ...(size.heap
        ? [heapMarkdown(`Controller heap after the additions at ${size.routes} routes, ${driver}`, size.heap)]
        : []),
    ]),
  );
  return {
    id: 'S5',
    title: 'S5 scale',
    settings: { sizes, routesPerService: ROUTES_PER_SERVICE, additionsPerSize: context.runs },
    data: all,
    metrics,
    targets,
    markdown: [markdown, ...profiles].join('\n\n'),
  };
}
