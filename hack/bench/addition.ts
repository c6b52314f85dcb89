/**
 * One measured route addition, shared by S2 and S5: write the route's file (rename into place),
 * probe its hostname every 5 ms until the first 200 and then 300 ms more, and split the time
 * between the controller's steps using its events:
 *
 *   write ─ inotify ─ scan (next event-loop turn, stat and parse the new file) ─ resolve ─ render ─
 *   stage ─ validate (nginx -t / haproxy -c) ─ commit ─ reload ─ proxy serves ─ first 200
 *
 * or, for a change HAProxy takes live (route maps, endpoints):
 *
 *   ... render ─ stage ─ runtime API commands ─ proxy serves ─ first 200 (validate, commit after)
 */
import { now, sleep } from './clock.js';
import type { Controller } from './controller.js';
import type { ControllerEvent } from './controllerEvents.js';
import { LISTENER_PORT, routeFile, routeHost, routeManifest, type ManifestFolder } from './manifests.js';
import { probeOnce, probeUntilServed, type Propagation } from './probe.js';
import { median } from './stats.js';
import { formatMs } from './context.js';

export const PROBE_INTERVAL_MS = 5;
export const SETTLE_MS = 300;

/** Where the time of one addition went, in ms; undefined where the step did not happen. */
export interface Phases {
  /** write → first inotify event */
  readonly notify?: number;
  /** inotify → resolve starts: debounce and the rescan of every file */
  readonly scan?: number;
  /** resolve starts → first render: the resolve itself (standalone has no coalescing window) */
  readonly resolveAndCoalesce?: number;
  /** every render call of the change */
  readonly render?: number;
  /** the driver's live-update check that answered "needs a reload" (HAProxy) */
  readonly liveCheck?: number;
  /** last render (or live check) → validate starts: writing the candidate files */
  readonly stage?: number;
  readonly validate?: number;
  /** validate ends → reload starts: commit by rename */
  readonly commit?: number;
  /** the reload call (nginx: the signal; HAProxy: until the master reports the reload done) */
  readonly reload?: number;
  /** reload call returns (or live update starts) → first 200 */
  readonly untilServed?: number;
  /** HAProxy runtime API update, when the change took the live path */
  readonly applyLive?: number;
}

export const PHASE_NAMES: readonly (keyof Phases)[] = [
  'notify',
  'scan',
  'resolveAndCoalesce',
  'render',
  'liveCheck',
  'stage',
  'validate',
  'commit',
  'reload',
  'applyLive',
  'untilServed',
];

export interface AdditionSample {
  readonly index: number;
  readonly propagation: Propagation;
  readonly phases: Phases;
  readonly renders: number;
  readonly reloads: number;
  readonly renderMs: readonly number[];
  readonly validateMs?: number;
  readonly reloadMs?: number;
}

export interface AdditionOptions {
  readonly controller: Controller;
  readonly folder: ManifestFolder;
  readonly gatewayAddress: string;
  readonly index: number;
  readonly service: string;
  /** How long to wait for the first 200. */
  readonly timeoutMs: number;
}

export async function measureAddition(options: AdditionOptions): Promise<AdditionSample> {
  const target = { address: options.gatewayAddress, port: LISTENER_PORT, host: routeHost(options.index) };
  const before = await probeOnce(target);
  if (before.status !== 404)
    throw new Error(`${target.host} answered ${before.status || before.error} before its route was written`);
  const t0 = await options.folder.write(
    routeFile(options.index),
    routeManifest(`r${options.index}`, target.host, options.service),
  );
  const propagation = await probeUntilServed(target, {
    t0,
    intervalMs: PROBE_INTERVAL_MS,
    settleMs: SETTLE_MS,
    timeoutMs: options.timeoutMs,
  });
  if (propagation.firstOkMs === undefined) {
    throw new Error(
      `${target.host} did not answer 200 within ${options.timeoutMs} ms: ${options.controller.output().slice(-1500)}`,
    );
  }
  // Events of this change are those that started between the write and the first 200. A step's
  // event is sent when it returns, which for HAProxy's reload (confirmed by polling the master)
  // can be after the first 200: wait until the old worker is gone before reading them.
  await quiesce(options.controller);
  const events = options.controller.between(t0, t0 + propagation.firstOkMs);
  return { index: options.index, propagation, ...breakdown(events, t0, t0 + propagation.firstOkMs) };
}

type Kind = ControllerEvent['kind'];

/** When the first event of `kind` started, and when it ended. */
function span(
  events: readonly ControllerEvent[],
  kind: Kind,
  test: (e: ControllerEvent) => boolean = () => true,
): { start?: number; end?: number; ms?: number } {
  const event = events.find((e) => e.kind === kind && test(e));
  if (!event) return {};
  return { start: event.t, end: event.t + (event.ms ?? 0), ms: event.ms };
}

function gap(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined ? undefined : Math.max(0, to - from);
}

type Span = { start?: number; end?: number };

/** Rendered → validate starts, or, on the live path, rendered → the runtime commands start. */
function stageGap(spans: {
  lastRender: Span;
  liveCheck: Span;
  live: Span;
  validate: Span;
}): number | undefined {
  const { lastRender, liveCheck, live, validate } = spans;
  if (live.start !== undefined) return gap(lastRender.end, live.start);
  return gap(Math.max(lastRender.end ?? -Infinity, liveCheck.end ?? -Infinity), validate.start);
}

function breakdown(
  events: readonly ControllerEvent[],
  t0: number,
  servedAt: number,
): Omit<AdditionSample, 'index' | 'propagation'> {
  const renders = events.filter((e) => e.kind === 'render');
  const fs = span(events, 'fsEvent');
  const resolveStart = span(events, 'resolveStart');
  const validate = span(events, 'validate');
  const reload = span(events, 'reload');
  const live = span(events, 'applyLive', (e) => e.ok === true);
  const liveCheck = span(events, 'applyLive', (e) => e.ok === false);
  const beforeValidate = renders.filter((r) => validate.start === undefined || r.t <= validate.start);
  const lastRender =
    beforeValidate.length > 0 ? span(beforeValidate, 'render', (e) => e === beforeValidate.at(-1)) : {};
  // A live update stages the files before it tells the proxy, and validates and commits them
  // after: those steps are not on the way to the first 200.
  const isLive = live.start !== undefined;
  const phases: Phases = {
    notify: gap(t0, fs.start),
    scan: gap(fs.start, resolveStart.start),
    resolveAndCoalesce: gap(resolveStart.start, renders[0]?.t),
    render: renders.length > 0 ? renders.reduce((total, r) => total + (r.ms ?? 0), 0) : undefined,
    liveCheck: liveCheck.ms,
    stage: stageGap({ lastRender, liveCheck, live, validate }),
    validate: isLive ? undefined : validate.ms,
    commit: isLive ? undefined : gap(validate.end, reload.start),
    reload: reload.ms,
    applyLive: live.ms,
    untilServed: gap(reload.end ?? live.end ?? validate.end, servedAt),
  };
  return {
    phases,
    renders: renders.length,
    reloads: events.filter((e) => e.kind === 'reload').length,
    renderMs: renders.map((r) => r.ms ?? 0),
    ...(validate.ms === undefined ? {} : { validateMs: validate.ms }),
    ...(reload.ms === undefined ? {} : { reloadMs: reload.ms }),
  };
}

/** Wait for the proxy to be back to master + one worker, then a short pause. */
export async function quiesce(controller: Controller, pauseMs = 100): Promise<void> {
  await controller.settle(2, 15_000);
  await sleep(pauseMs);
}

/** Probe `host` every 20 ms until it answers 200 (used after bulk writes); ms taken. */
export async function waitServed(address: string, host: string, timeoutMs: number): Promise<number> {
  const t0 = now();
  const result = await probeUntilServed(
    { address, port: LISTENER_PORT, host },
    { t0, intervalMs: 20, settleMs: 0, timeoutMs },
  );
  if (result.firstOkMs === undefined) throw new Error(`${host} not served within ${timeoutMs} ms`);
  return result.firstOkMs;
}

/** The median of each phase over `samples`. */
export function phaseMedians(samples: readonly AdditionSample[]): Phases {
  const out: { -readonly [K in keyof Phases]: number } = {};
  for (const name of PHASE_NAMES) {
    const values = samples.map((s) => s.phases[name]).filter((v): v is number => v !== undefined);
    if (values.length > 0) out[name] = median(values);
  }
  return out;
}

/** Header of a phase table: the given leading columns, the phases, the first-200 median. */
export function phaseHeader(leading: readonly string[]): string[] {
  return [...leading, ...PHASE_NAMES, 'first 200 (p50)'];
}

/** One row of a phase table: `leading` cells, then the median of each phase over `samples`. */
export function phaseRow(leading: readonly string[], samples: readonly AdditionSample[]): string[] {
  const medians = phaseMedians(samples);
  const firstOk = median(samples.map((s) => s.propagation.firstOkMs ?? Number.NaN));
  return [...leading, ...PHASE_NAMES.map((name) => formatMs(medians[name])), formatMs(firstOk)];
}
