/**
 * The controller under test, as its own process: what `gateplane standalone --watch` runs
 * (operator/cli/standalone.ts: StandaloneController over the two drivers), with each driver call
 * wrapped to send a timestamped event to the bench over IPC. The wrappers add one clock read and
 * one message per call; nothing else differs from the CLI.
 *
 * Events, in the order a change goes through the pipeline:
 * - `fsEvent`: an inotify event on the watched folder (our own watch beside the controller's);
 * - `resolveStart`: the controller starts resolving a new store version (Resolver.resolve,
 *   wrapped below);
 * - `render`, `validate`, `reload`, `applyLive`: each driver call, with its duration;
 * - `started`: a proxy serves its first configuration (its master pid).
 *
 * Started with one JSON argument (ControllerArgs). SIGTERM/SIGINT, or the bench going away,
 * stop the controller as the CLI does: drain and stop every proxy, then exit.
 */
import { watch } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { DRIVERS } from '../../drivers/index.js';
import type { Driver, ProxyProcess } from '../../drivers/driver.js';
import { createLogger } from '../../operator/log.js';
import { Resolver, type DriverName } from '../../operator/model/index.js';
import { StandaloneController } from '../../operator/standalone/controller.js';
import { now } from './clock.js';
import type { ControllerArgs, ControllerCommand, ControllerEvent } from './controllerEvents.js';

const args = JSON.parse(process.argv[2] ?? '{}') as ControllerArgs;

function emit(event: Omit<ControllerEvent, 't'> & { t?: number }): void {
  process.send?.({ t: now(), ...event });
}

function instrumentProcess(proxy: ProxyProcess, driver: DriverName): ProxyProcess {
  return {
    pid: proxy.pid,
    exited: proxy.exited,
    stderrTail: () => proxy.stderrTail(),
    stop: (graceMs) => proxy.stop(graceMs),
    confirm: (hash, timeoutMs) => proxy.confirm(hash, timeoutMs),
    async reload(hash) {
      const start = now();
      await proxy.reload(hash);
      emit({ t: start, kind: 'reload', driver, ms: now() - start });
    },
  };
}

// The controller resolves each new store version once, through its Resolver.
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its `this`
const resolveVersion = Resolver.prototype.resolve;
Resolver.prototype.resolve = function (this: Resolver, snapshot) {
  emit({ kind: 'resolveStart', driver: args.driver });
  return resolveVersion.call(this, snapshot);
};

function instrument(driver: Driver): Driver {
  const applyLive = driver.applyLive?.bind(driver);
  return {
    name: driver.name,
    supportedFeatures: driver.supportedFeatures,
    render(model, target) {
      const start = now();
      const config = driver.render(model, target);
      const bytes = config.files.reduce((total, file) => total + file.content.length, 0);
      emit({ t: start, kind: 'render', driver: driver.name, ms: now() - start, bytes });
      return config;
    },
    async validate(config, runtimeDir) {
      const start = now();
      const verdict = await driver.validate(config, runtimeDir);
      emit({ t: start, kind: 'validate', driver: driver.name, ms: now() - start, ok: verdict.ok });
      return verdict;
    },
    async start(config, runtimeDir) {
      const start = now();
      const proxy = await driver.start(config, runtimeDir);
      emit({ t: start, kind: 'started', driver: driver.name, ms: now() - start, pid: proxy.pid });
      return instrumentProcess(proxy, driver.name);
    },
    ...(applyLive
      ? {
          async applyLive(served, next, target) {
            const start = now();
            const live = await applyLive(served, next, target);
            emit({ t: start, kind: 'applyLive', driver: driver.name, ms: now() - start, ok: live });
            return live;
          },
        }
      : {}),
  };
}

const logger = createLogger({ level: 'warn', format: 'json' });
const controller = new StandaloneController({
  paths: args.paths,
  watch: true,
  defaultDriver: args.driver,
  stateDir: args.stateDir,
  statusFile: args.statusFile,
  addressPool: args.addressPool,
  drivers: { nginx: instrument(DRIVERS.nginx), haproxy: instrument(DRIVERS.haproxy) },
  logger,
});

const watcher = watch(args.watchDir, { persistent: false }, (_type, file) =>
  emit({ kind: 'fsEvent', file: file ?? '' }),
);

let stopping: Promise<void> | undefined;
function stop(reason: string): Promise<void> {
  stopping ??= (async () => {
    watcher.close();
    try {
      await controller.stop();
      emit({ kind: 'stopped', detail: reason });
      process.exitCode = 0;
    } catch (error) {
      logger.error('Stopping failed', { error: String(error) });
      process.exitCode = 1;
    }
    process.disconnect?.();
  })();
  return stopping;
}

// `--profile`: the bench brackets the part it wants profiled (the measured additions) with
// profileStart / profileStop; the profile goes to the file it names. The heap is sampled from the
// start instead (heapSampling), so that what the initial load allocated is in the heap profile.
const inspector = new Session();
inspector.connect();
let cpuProfiling = false;
if (args.heapSampling) {
  await inspector.post('HeapProfiler.enable');
  await inspector.post('HeapProfiler.startSampling', { samplingInterval: 64 * 1024 });
}
async function command(message: ControllerCommand): Promise<void> {
  if (message.command === 'profileStart' && !cpuProfiling) {
    cpuProfiling = true;
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 500 });
    await inspector.post('Profiler.start');
  } else if (message.command === 'memory') {
    const usage = process.memoryUsage();
    const mib = (bytes: number): number => bytes / 2 ** 20;
    emit({
      kind: 'memory',
      memory: {
        rss: mib(usage.rss),
        heapUsed: mib(usage.heapUsed),
        heapTotal: mib(usage.heapTotal),
        external: mib(usage.external),
        arrayBuffers: mib(usage.arrayBuffers),
      },
    });
  } else if (message.command === 'profileStop' && cpuProfiling) {
    cpuProfiling = false;
    const { profile } = await inspector.post('Profiler.stop');
    await writeFile(message.file, JSON.stringify(profile));
    if (args.heapSampling && message.heapFile !== undefined) {
      const heap = await inspector.post('HeapProfiler.stopSampling');
      await writeFile(message.heapFile, JSON.stringify(heap.profile));
    }
    emit({ kind: 'profiled', file: message.file });
  }
}
process.on('message', (message: ControllerCommand) => void command(message));

process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
process.once('disconnect', () => void stop('bench went away'));

await controller.start();
emit({ kind: 'ready' });
