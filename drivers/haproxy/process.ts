/**
 * Runs HAProxy 2.6 in master-worker mode, in the foreground, under our supervision:
 *
 *   haproxy -W -S <runtimeDir>/master.sock,mode,600 -f <runtimeDir>/haproxy.cfg
 *
 * - The master keeps its pid across reloads: on SIGUSR2 it re-executes itself on the committed
 *   file, starts new workers (handing them the listening sockets) and soft-stops the old ones,
 *   which get `hard-stop-after` to finish in-flight requests.
 * - SIGUSR1 is a soft stop: workers stop listening, finish, exit, and then the master exits.
 * - Workers are children of the master, not of Node: stop() finds them in /proc so that nothing
 *   is left behind even when the master has to be killed.
 */
import path from 'node:path';
import { execa } from 'execa';
import { killProcessGroup, OWN_PROCESS_GROUP } from '../processGroup.js';
import type { ProxyExit, ProxyProcess, RenderedConfig } from '../driver.js';
import { confirmServed, waitForServedHash } from '../deploy.js';
import { readMasterCounters, type MasterCounters } from './masterCli.js';
import { childrenOf, isRunning, killIfRunning, type ProcessRef } from '../procfs.js';

const START_TIMEOUT_MS = 10_000;
const RELOAD_TIMEOUT_MS = 10_000;
const TAIL_BYTES = 64 * 1024;
const POLL_MS = 20;

export function masterSocketPath(runtimeDir: string): string {
  return path.join(runtimeDir, 'master.sock');
}

export async function startHaproxy(
  binary: string,
  config: RenderedConfig,
  runtimeDir: string,
): Promise<ProxyProcess> {
  const masterSocket = masterSocketPath(runtimeDir);
  // `-S` takes `<path>[,<bind options>]`: a comma in the path would be read as an option.
  if (masterSocket.includes(','))
    throw new Error(`haproxy runtime directory ${runtimeDir} must not contain a comma`);
  const child = execa(
    binary,
    ['-W', '-S', `${masterSocket},mode,600`, '-f', path.join(runtimeDir, config.main)],
    {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // Not execa's cleanup: its signal-exit hook re-raises SIGTERM/SIGINT whenever the number of
      // live subprocesses equals the number of signal listeners, which kills gateplane before its
      // own handler can drain. The deployer owns the proxy's lifetime instead.
      cleanup: false,
      ...OWN_PROCESS_GROUP,
    },
  );
  const tail = new OutputTail();
  child.stdout.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
  let done = false;
  // The process's own exit, not execa's result: that waits for the output pipes to close, and
  // workers orphaned by a killed master keep them open.
  const exited = new Promise<ProxyExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.catch(() => undefined);
  void exited.then(() => {
    done = true;
    if (child.pid !== undefined) killProcessGroup(child.pid);
  });
  if (child.pid === undefined) {
    await exited;
    throw new Error(`spawn ${binary}: ${tail.text()}`);
  }
  const proxy = new HaproxyProcess({ pid: child.pid, exited, tail, runtimeDir, hasExited: () => done });
  if (await servesHash(runtimeDir, config.hash, () => done)) return proxy;
  const reason = done
    ? 'haproxy exited during start'
    : `haproxy did not serve configuration ${config.hash} within ${START_TIMEOUT_MS} ms`;
  await proxy.stop(0);
  throw new Error(`${reason}:\n${tail.lastLines()}`);
}

/** waitForServedHash, in short slices so that an early exit of the proxy ends the wait. */
async function servesHash(runtimeDir: string, hash: string, hasExited: () => boolean): Promise<boolean> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!hasExited() && Date.now() < deadline) {
    if (await waitForServedHash(runtimeDir, hash, 200)) return true;
  }
  return false;
}

interface ProcessState {
  readonly pid: number;
  readonly exited: Promise<ProxyExit>;
  readonly tail: OutputTail;
  readonly runtimeDir: string;
  readonly hasExited: () => boolean;
}

class HaproxyProcess implements ProxyProcess {
  readonly pid: number;
  readonly exited: Promise<ProxyExit>;
  private reloads: Promise<void> = Promise.resolve();
  /** The workers that served before the last reload. */
  private retiring: ProcessRef[] = [];
  private stopping: Promise<ProxyExit> | undefined;

  constructor(private readonly state: ProcessState) {
    this.pid = state.pid;
    this.exited = state.exited;
  }

  stderrTail(): string {
    return this.state.tail.text();
  }

  /**
   * SIGUSR2 to the master, then wait until its reload counter moves. Rejects when the master
   * reports the reload as failed (it keeps the old workers, so the old configuration still
   * serves) or does not finish in time. Whether the new configuration serves is the deployer's
   * check, through the status socket. Reloads are serialized: a signal sent while the master is
   * re-executing could be lost.
   */
  reload(): Promise<void> {
    const next = this.reloads.then(() => this.reloadOnce());
    this.reloads = next.catch(() => undefined);
    return next;
  }

  /**
   * The master tells the old workers to stop once the new ones are ready: until each has handled
   * that, both accept.
   */
  confirm(hash: string, timeoutMs: number): Promise<boolean> {
    return confirmServed(this.state.runtimeDir, hash, this.retiring, { timeoutMs });
  }

  private async reloadOnce(): Promise<void> {
    if (this.stopping) throw new Error('haproxy is stopping');
    const before = await this.counters(() => true);
    this.retiring = childrenOf(this.pid);
    process.kill(this.pid, 'SIGUSR2');
    const after = await this.counters((counters) => counters.reloads > before.reloads);
    if (after.failed > before.failed) {
      throw new Error(
        `haproxy kept its previous configuration, the new one failed to load:\n${this.state.tail.lastLines()}`,
      );
    }
  }

  /** Poll `show proc` on the master CLI until `accept` holds. */
  private async counters(accept: (counters: MasterCounters) => boolean): Promise<MasterCounters> {
    const deadline = Date.now() + RELOAD_TIMEOUT_MS;
    for (;;) {
      if (this.state.hasExited()) throw new Error(`haproxy exited:\n${this.state.tail.lastLines()}`);
      const counters = await readMasterCounters(masterSocketPath(this.state.runtimeDir));
      if (counters !== undefined && accept(counters)) return counters;
      if (Date.now() >= deadline)
        throw new Error(`haproxy master did not finish reloading within ${RELOAD_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
  }

  stop(graceMs: number): Promise<ProxyExit> {
    this.stopping ??= this.stopOnce(graceMs);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<ProxyExit> {
    // Once Node has reaped the master its pid may belong to someone else: only look at its
    // children, or signal it, while it is known to run.
    const running = (): boolean => !this.state.hasExited();
    const workers = new Map<number, ProcessRef>();
    const collect = (): void => {
      if (running()) childrenOf(this.pid).forEach((ref) => workers.set(ref.pid, ref));
    };
    const killAll = (): void => {
      collect();
      // The master first: killed after its workers, it may see them die and exit on its own
      // (code 137) before our signal lands, and the exit would not say the stop was forced.
      // The workers, orphaned for a moment, are known by pid and start time: none escapes.
      if (running()) signal(this.pid, 'SIGKILL');
      for (const worker of workers.values()) killIfRunning(worker, 'SIGKILL');
    };
    collect();
    if (running()) signal(this.pid, 'SIGUSR1');
    const timer = setTimeout(killAll, graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    // The master waits for its workers before exiting on SIGUSR1, but not when it was killed:
    // orphaned workers notice the master is gone only later, so finish them off.
    for (const worker of workers.values()) killIfRunning(worker, 'SIGKILL');
    while ([...workers.values()].some(isRunning)) await sleep(POLL_MS);
    return exit;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last TAIL_BYTES of everything HAProxy wrote, for error messages. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= TAIL_BYTES)
      this.size -= this.chunks.shift()?.length ?? 0;
  }

  text(): string {
    return Buffer.concat(this.chunks).subarray(-TAIL_BYTES).toString('utf8');
  }

  /** The end of the output, short enough for an error message. */
  lastLines(count = 20): string {
    return this.text().trimEnd().split('\n').slice(-count).join('\n');
  }
}
