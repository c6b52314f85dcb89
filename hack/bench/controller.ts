/**
 * The bench's handle on one controller process (controllerProcess.ts): starts it on a manifest
 * folder, collects its events, pins the proxy it starts to the proxy CPU, reads its memory, and
 * stops it. The controller itself is not pinned: it gets whichever CPU is free, as in a pod.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverName } from '../../operator/model/index.js';
import { now, sleep } from './clock.js';
import type { BenchContext } from './context.js';
import type {
  ControllerArgs,
  ControllerCommand,
  ControllerEvent,
  ControllerEventKind,
  ControllerMemory,
} from './controllerEvents.js';
import { peakRssMiB, proxyMemory, rssMiB } from './memory.js';
import { pinTree, type Processes, type Tracked } from './processes.js';
import { distIsFresh } from '../../bin/freshness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The controller runs as gateplane would run here (bin/gateplane.js): compiled when dist/ is up
 * to date, else from the sources through tsx, whose loader adds ~40 MiB. Reported in the summary.
 */
export const CONTROLLER_CODE: 'compiled' | 'sources' = distIsFresh() ? 'compiled' : 'sources';
const COMMAND =
  CONTROLLER_CODE === 'compiled'
    ? [path.join(ROOT, 'dist/hack/bench/controllerProcess.js')]
    : ['--import', 'tsx', fileURLToPath(new URL('./controllerProcess.ts', import.meta.url))];

export interface ControllerStart {
  readonly processes: Processes;
  readonly driver: DriverName;
  /** Folder of manifests to serve and watch. */
  readonly manifests: string;
  /** Folder for the state dir and status file; must be short (unix socket paths). */
  readonly dir: string;
  /** CPUs the proxy is pinned to once started. */
  readonly proxyCpus: string;
  /** Sample the controller's heap from its start (for profileStop's heap profile). */
  readonly heapSampling?: boolean;
}

export class Controller {
  readonly events: ControllerEvent[] = [];
  private readonly waiters: {
    test: (e: ControllerEvent) => boolean;
    resolve: (e: ControllerEvent) => void;
  }[] = [];
  private pinning: Promise<void> = Promise.resolve();
  proxyPid: number | undefined;

  private constructor(
    readonly driver: DriverName,
    private readonly process: Tracked,
    private readonly processes: Processes,
    private readonly proxyCpus: string,
  ) {
    process.child.on('message', (message: ControllerEvent) => this.receive(message));
  }

  /** A scenario's controller: its manifests folder and work folder, the proxy on the run's CPUs. */
  static forScenario(
    context: BenchContext,
    driver: DriverName,
    folders: { readonly manifests: string; readonly dir: string },
    heapSampling = false,
  ): Promise<Controller> {
    return Controller.start({
      processes: context.processes,
      driver,
      ...folders,
      proxyCpus: context.cpus.proxy,
      ...(heapSampling ? { heapSampling } : {}),
    });
  }

  static async start(options: ControllerStart): Promise<Controller> {
    const args: ControllerArgs = {
      paths: [options.manifests],
      watchDir: options.manifests,
      driver: options.driver,
      stateDir: path.join(options.dir, 'state'),
      statusFile: path.join(options.dir, 'status.json'),
      addressPool: '127.0.60.0/24',
      ...(options.heapSampling ? { heapSampling: true } : {}),
    };
    const child = options.processes.spawn(
      `controller ${options.driver}`,
      process.execPath,
      [...COMMAND, JSON.stringify(args)],
      {
        ipc: true,
        cwd: ROOT,
      },
    );
    const controller = new Controller(options.driver, child, options.processes, options.proxyCpus);
    await controller.waitFor('ready', () => true, 120_000);
    return controller;
  }

  private receive(event: ControllerEvent): void {
    this.events.push(event);
    if (event.kind === 'started' && event.pid !== undefined) {
      this.proxyPid = event.pid;
      this.processes.adoptProxy(event.pid);
      this.pinning = pinTree(event.pid, this.proxyCpus);
    }
    for (const waiter of [...this.waiters]) {
      if (!waiter.test(event)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  }

  /** The first event of `kind` passing `test`, including one already received after `since`. */
  async waitFor(
    kind: ControllerEventKind,
    test: (e: ControllerEvent) => boolean,
    timeoutMs: number,
    since = 0,
  ): Promise<ControllerEvent> {
    const match = (e: ControllerEvent): boolean => e.kind === kind && e.t >= since && test(e);
    const seen = this.events.find(match);
    if (seen) return seen;
    let timer: NodeJS.Timeout | undefined;
    const exited = this.process.exited.then(() => {
      throw new Error(`controller ${this.driver} exited while waiting for ${kind}: ${this.process.output()}`);
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `controller ${this.driver}: no ${kind} within ${timeoutMs} ms: ${this.process.output().slice(-2000)}`,
            ),
          ),
        timeoutMs,
      );
    });
    const event = new Promise<ControllerEvent>((resolve) => this.waiters.push({ test: match, resolve }));
    try {
      return await Promise.race([event, exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once the proxy serves its first configuration and is pinned. */
  async started(timeoutMs = 300_000): Promise<number> {
    const event = await this.waitFor('started', () => true, timeoutMs);
    await this.pinning;
    return event.pid!;
  }

  /** Events in [from, to]. */
  between(from: number, to: number): ControllerEvent[] {
    return this.events.filter((e) => e.t >= from && e.t <= to);
  }

  /** Wait until the proxy has no more processes than `count` (old workers have exited). */
  async settle(count: number, timeoutMs = 5000): Promise<boolean> {
    const deadline = now() + timeoutMs;
    while (now() < deadline) {
      if (this.proxyPid === undefined || proxyMemory(this.proxyPid).processes <= count) return true;
      await sleep(10);
    }
    return false;
  }

  /** Start sampling the controller's CPU (V8 profiler, every 0.5 ms). */
  profileStart(): void {
    this.process.child.send({ command: 'profileStart' } satisfies ControllerCommand);
  }

  /**
   * Stop sampling and write the CPU profile to `file` (and, when started with heapSampling, the
   * heap profile to `heapFile`); resolves once written.
   */
  async profileStop(file: string, heapFile?: string): Promise<string> {
    const since = now();
    this.process.child.send({
      command: 'profileStop',
      file,
      ...(heapFile === undefined ? {} : { heapFile }),
    } satisfies ControllerCommand);
    await this.waitFor('profiled', (e) => e.file === file, 60_000, since);
    return file;
  }

  /** The controller's own view of its memory (V8 heap, external buffers, RSS). */
  async memory(): Promise<ControllerMemory> {
    const since = now();
    this.process.child.send({ command: 'memory' } satisfies ControllerCommand);
    return (await this.waitFor('memory', () => true, 10_000, since)).memory!;
  }

  rssMiB(): number | undefined {
    return rssMiB(this.process.pid);
  }

  peakRssMiB(): number | undefined {
    return peakRssMiB(this.process.pid);
  }

  output(): string {
    return this.process.output();
  }

  async stop(): Promise<void> {
    await this.processes.stop(this.process, 'SIGTERM', 30_000);
  }
}
