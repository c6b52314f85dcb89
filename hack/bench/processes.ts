/**
 * Every process the bench starts goes through here, so that each one is stopped by its pid, on
 * success, on failure and on Ctrl-C. Children run in their own process group (`detached`), so
 * the terminal's SIGINT reaches the bench only, which then stops them in order: the controller
 * first (it drains and stops its proxies), then load generators, baselines and the backend.
 *
 * Proxies started by a controller are not our children: their master pids are registered with
 * `adoptProxy` so that they can be killed too if their controller did not stop them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface Tracked {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last 16 KiB of stderr (and stdout when it is not piped elsewhere). */
  output(): string;
}

export interface SpawnOptions {
  /** `taskset -c` list, e.g. `0` or `1`. */
  readonly cpus?: string;
  /** Keep stdout for the caller (wrk's report); otherwise it joins the output tail. */
  readonly captureStdout?: boolean;
  /** Add an IPC channel (Node children). */
  readonly ipc?: boolean;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const TAIL = 16 * 1024;

export class Processes {
  private readonly live = new Map<number, Tracked>();
  private readonly proxies = new Set<number>();

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Tracked {
    const argv =
      options.cpus === undefined ? [command, ...args] : ['taskset', '-c', options.cpus, command, ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
      detached: true,
      cwd: options.cwd,
      env: options.env ?? process.env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL);
    };
    child.stderr?.on('data', keep);
    if (!options.captureStdout) child.stdout?.on('data', keep);
    const pid = child.pid;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        this.live.delete(pid);
        resolve({ code, signal });
      }),
    );
    const tracked: Tracked = { name, pid, child, exited, output: () => tail };
    this.live.set(pid, tracked);
    return tracked;
  }

  /** A proxy master started by a controller: killed by pid at the end if it is still there. */
  adoptProxy(pid: number): void {
    this.proxies.add(pid);
  }

  /** Signal `tracked`, wait up to `graceMs`, then SIGKILL it. */
  async stop(tracked: Tracked, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (!this.live.has(tracked.pid)) return;
    sendSignal(tracked.pid, signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, graceMs, 'late')));
    const outcome = await Promise.race([tracked.exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      sendSignal(tracked.pid, 'SIGKILL');
      await tracked.exited;
    }
  }

  /**
   * Stop everything still running: controllers first (SIGTERM: they drain and stop their
   * proxies), then the rest; then any adopted proxy master and its workers that outlived its
   * controller.
   */
  async stopAll(): Promise<void> {
    const all = [...this.live.values()];
    const controllers = all.filter((t) => t.name.startsWith('controller'));
    await Promise.all(controllers.map((t) => this.stop(t, 'SIGTERM', 20_000)));
    await Promise.all(all.filter((t) => !controllers.includes(t)).map((t) => this.stop(t, 'SIGTERM', 5000)));
    for (const pid of this.proxies) killTree(pid);
    this.proxies.clear();
  }

  /** Last resort, from a synchronous `exit` handler: SIGKILL every pid we know. */
  killAllNow(): void {
    for (const pid of this.live.keys()) sendSignal(pid, 'SIGKILL');
    for (const pid of this.proxies) killTree(pid);
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILL `pid` and its live children (a proxy master and its workers), by pid. */
function killTree(pid: number): void {
  const children = childPids(pid);
  if (!isAlive(pid)) return;
  sendSignal(pid, 'SIGKILL');
  for (const child of children) sendSignal(child, 'SIGKILL');
}

export function isAlive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** `/proc/<pid>/stat` after the command name (which may hold spaces): [state, ppid, ...]. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields?.[1] === String(pid) && fields[0] !== 'Z') children.push(Number(entry));
  }
  return children;
}

/**
 * Pin `pid` and its children, every thread, to `cpus`. Processes they fork later (nginx's new
 * workers, HAProxy's re-executed master and its workers) inherit the affinity.
 */
export async function pinTree(pid: number, cpus: string): Promise<void> {
  for (const target of [pid, ...childPids(pid)]) {
    await execFileAsync('taskset', ['-a', '-c', '-p', cpus, String(target)]).catch(() => undefined);
  }
}

/** pids of nginx or HAProxy processes whose command line mentions `dir`. */
export function proxiesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readCmdline(Number(entry));
    if (/(nginx|haproxy)/.test(cmdline) && cmdline.includes(dir) && isAlive(Number(entry)))
      pids.push(Number(entry));
  }
  return pids;
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Kill the given pids (SIGKILL), for the final stray check. */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) sendSignal(pid, 'SIGKILL');
}
