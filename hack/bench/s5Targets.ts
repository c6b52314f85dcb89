/**
 * S5's figures and the issue's targets for them: at 5,000 routes, render ≤ 50 ms per incremental
 * change, controller ≤ 200 MiB RSS, HAProxy ≤ 100 MiB and nginx ≤ 150 MiB RSS per worker.
 */
import type { DriverName } from '../../operator/model/index.js';
import type { AdditionSample } from './addition.js';
import { formatMs, formatNumber, type TargetCheck } from './context.js';
import type { ProxyMemory } from './memory.js';
import type { OfflineTimes } from './offlineRender.js';
import type { ProfileSummary } from './cpuProfile.js';
import type { ControllerMemory } from './controllerEvents.js';
import { CONTROLLER_CODE } from './controller.js';

export const TARGET_SIZE = 5000;
const WORKER_LIMIT_MIB: Record<DriverName, number> = { haproxy: 100, nginx: 150 };
const CONTROLLER_LIMIT_MIB = 200;
const RENDER_LIMIT_MS = 50;

export interface Addition {
  readonly sample: AdditionSample;
  readonly duringPeakWorkerMiB: number;
  readonly duringPeakTotalMiB: number;
  readonly duringPeakProcesses: number;
  readonly after: ProxyMemory;
  readonly controllerMiB: number;
}

export interface Size {
  readonly routes: number;
  readonly services: number;
  readonly cold: {
    readonly servedMs: number;
    readonly renderMs: readonly number[];
    readonly validateMs?: number;
    readonly memory: ProxyMemory;
    readonly controllerMiB: number;
  };
  readonly additions: readonly Addition[];
  /** Additions repeated because other jobs used the CPU, and kept ones still disturbed. */
  readonly noise: { readonly discarded: number; readonly disturbed: number };
  readonly offline: OfflineTimes;
  /** With `--profile`, at 5,000 routes (1,000 when quick): where the controller's CPU went. */
  readonly profile?: ProfileSummary;
  /** With `--profile`: the controller's live heap by allocating function (MiB in `ms`). */
  readonly heap?: ProfileSummary;
  /** The controller's own memory figures after the additions. */
  readonly controllerMemory: ControllerMemory;
  /** The same, serving a Gateway without routes (Node, gateplane's modules, tsx when run from sources, one proxy). */
  readonly baseline?: ControllerMemory;
  readonly controllerPeakMiB: number;
  /** Medians over the additions. */
  readonly incremental: {
    readonly renderPerCallMs: number;
    readonly renderPerChangeMs: number;
    readonly renderCalls: number;
    readonly validateMs: number;
    readonly reloadMs: number;
    readonly servedMs: number;
    readonly peakWorkerMiB: number;
    readonly afterWorkerMiB: number;
    readonly peakTotalMiB: number;
    readonly afterTotalMiB: number;
  };
}

export function s5Checks(driver: DriverName, s: Size): TargetCheck[] {
  const where = s.routes === TARGET_SIZE ? '' : ` (at ${s.routes.toLocaleString('en-US')} routes, not 5,000)`;
  const i = s.incremental;
  const workerLimit = WORKER_LIMIT_MIB[driver];
  const out: TargetCheck[] = [];
  const renderMet = i.renderPerChangeMs <= RENDER_LIMIT_MS;
  out.push({
    scenario: 'S5',
    driver,
    target: `render ≤ ${RENDER_LIMIT_MS} ms incremental${where}`,
    measured: `${formatMs(i.renderPerChangeMs)} per change (${formatMs(i.renderPerCallMs)} per call)`,
    met: renderMet,
    ...(renderMet
      ? {}
      : {
          missedBy: `+${formatMs(i.renderPerChangeMs - RENDER_LIMIT_MS)}`,
          bound: `every change re-renders the whole ${formatNumber(s.offline.configBytes / 1024)} KiB configuration (${i.renderCalls} render call(s) per change, ${formatMs(i.renderPerCallMs)} each); the resolve before it adds ${formatMs(s.offline.changeResolveMs)} (${formatMs(s.offline.resolveMs)} from scratch)`,
        }),
  });
  const controllerMet = s.controllerPeakMiB <= CONTROLLER_LIMIT_MIB;
  out.push({
    scenario: 'S5',
    driver,
    target: `controller ≤ ${CONTROLLER_LIMIT_MIB} MiB RSS${where}`,
    measured: `peak ${formatNumber(s.controllerPeakMiB, 1)} MiB, settled ${formatNumber(s.additions.at(-1)?.controllerMiB, 1)} MiB`,
    met: controllerMet,
    ...(controllerMet
      ? {}
      : {
          missedBy: `+${formatNumber(s.controllerPeakMiB - CONTROLLER_LIMIT_MIB, 1)} MiB`,
          bound: controllerBound(s),
        }),
  });
  const peakWorker = Math.max(i.peakWorkerMiB, i.afterWorkerMiB);
  const workerMet = peakWorker <= workerLimit;
  out.push({
    scenario: 'S5',
    driver,
    target: `${driver} ≤ ${workerLimit} MiB RSS per worker${where}`,
    measured: `${formatNumber(i.peakWorkerMiB, 1)} MiB during reload, ${formatNumber(i.afterWorkerMiB, 1)} MiB after`,
    met: workerMet,
    ...(workerMet
      ? {}
      : {
          missedBy: `+${formatNumber(peakWorker - workerLimit, 1)} MiB`,
          bound:
            driver === 'nginx'
              ? `one server{} per hostname and one upstream{} per Service (${s.services}); the worker is forked from a master holding old and new configuration during the reload`
              : `${s.routes} routes as per-request rule lines and ${s.services} backends × 8 server slots`,
        }),
  });
  return out;
}

/** What the controller's RSS is made of, from its own memoryUsage() after the additions. */
function controllerBound(s: Size): string {
  const m = s.controllerMemory;
  const rest = m.rss - m.heapTotal - m.external;
  const base = s.baseline
    ? `with no route it already holds ${formatNumber(s.baseline.rss, 0)} MiB (Node and gateplane's modules${CONTROLLER_CODE === 'sources' ? ', and tsx compiling them' : ''}); `
    : '';
  return `${base}here V8 heap ${formatNumber(m.heapUsed, 0)} MiB used of ${formatNumber(m.heapTotal, 0)} MiB reserved, external ${formatNumber(m.external, 0)} MiB, other ${formatNumber(rest, 0)} MiB; the peak adds the cold start's transient garbage${s.heap ? '; live heap by allocator in the S5 profile section' : ''}`;
}
