/**
 * Runs nginx in the foreground under our supervision: one master process, its workers, graceful
 * reload (SIGHUP) and graceful stop (SIGQUIT), with a forced end that leaves no worker behind.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { confirmServed, waitForServedHash } from '../deploy.js';
import { prepareHandover, resetHandover, retireHandover } from './handover.js';
import { childrenOf, isRunning, killIfRunning, type ProcessRef } from '../procfs.js';
import { killProcessGroup, OWN_PROCESS_GROUP } from '../processGroup.js';
import { statusSocketPath, type ProxyExit, type ProxyProcess, type RenderedConfig } from '../driver.js';

export interface StartOptions {
  readonly binary: string;
  /** How long the first configuration may take to serve its hash. */
  readonly startTimeoutMs: number;
}

/** Enough of stderr to hold the last few error lines, bounded so a chatty proxy costs nothing. */
const STDERR_TAIL_BYTES = 16 * 1024;

/** How long to wait for processes we SIGKILLed to disappear before giving up on them. */
const KILL_WAIT_MS = 5000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitGone(workers: readonly ProcessRef[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (workers.some(isRunning) && Date.now() < deadline) await sleep(20);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Already gone: nothing left to signal.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function startNginx(
  config: RenderedConfig,
  runtimeDir: string,
  options: StartOptions,
): Promise<ProxyProcess> {
  // A socket file left by a proxy that was SIGKILLed makes bind() fail; nothing can be serving
  // on it, since this runtime directory belongs to the proxy we are about to start.
  await rm(statusSocketPath(runtimeDir), { force: true });
  const cwd = resetHandover(runtimeDir, config.hash);
  const subprocess = execa(
    options.binary,
    [
      '-c',
      path.join(runtimeDir, config.main),
      '-p',
      `${runtimeDir}/`,
      '-g',
      'daemon off; master_process on;',
    ],
    // Not execa's cleanup: its signal-exit hook re-raises SIGTERM/SIGINT whenever the number of
    // live subprocesses equals the number of signal listeners, which kills gateplane before its
    // own handler can drain. The deployer owns the proxy's lifetime instead.
    {
      // The handover sockets' paths are relative to it (handover.ts).
      cwd,
      reject: false,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      cleanup: false,
      ...OWN_PROCESS_GROUP,
    },
  );
  let tail = '';
  subprocess.stderr?.setEncoding('utf8');
  subprocess.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  let running = true;
  // The process's own exit, not execa's result: that waits for stderr to close, and workers
  // orphaned by a killed master keep it open.
  const exited = new Promise<ProxyExit>((resolve) =>
    subprocess.once('exit', (code, signal) => resolve({ code, signal })),
  );
  subprocess.catch(() => undefined);
  void exited.then(() => {
    running = false;
    if (subprocess.pid !== undefined) killProcessGroup(subprocess.pid);
  });

  if (subprocess.pid === undefined) {
    await exited;
    throw new Error(`nginx did not start: ${tail.trim() || 'spawn failed'}`);
  }
  const handle = supervise({
    pid: subprocess.pid,
    exited,
    alive: () => running,
    tail: () => tail,
    subprocess,
    runtimeDir,
  });
  const served = await Promise.race([
    waitForServedHash(runtimeDir, config.hash, options.startTimeoutMs),
    exited.then(() => false),
  ]);
  if (served) return handle;
  if (running) await handle.stop(0);
  const exit = await exited;
  throw new Error(
    `nginx did not serve configuration ${config.hash.slice(0, 12)} (exit code ${exit.code}, signal ${exit.signal}): ${tail.trim()}`,
  );
}

interface Supervised {
  readonly pid: number;
  readonly exited: Promise<ProxyExit>;
  readonly alive: () => boolean;
  readonly tail: () => string;
  readonly subprocess: { kill(signal: NodeJS.Signals): boolean };
  readonly runtimeDir: string;
}

function supervise(s: Supervised): ProxyProcess {
  // The workers that served before the last reload: they keep accepting for a while after it.
  let retiring: ProcessRef[] = [];
  return {
    pid: s.pid,
    exited: s.exited,
    stderrTail: s.tail,
    reload(hash) {
      // A failed reload is not reported back through the signal (nginx logs it and keeps the old
      // workers): callers validate first and then confirm the new hash.
      try {
        if (!s.alive()) throw new Error(`nginx ${s.pid} is not running`);
        prepareHandover(s.runtimeDir, hash);
        retiring = childrenOf(s.pid);
        signal(s.pid, 'SIGHUP');
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    async confirm(hash, timeoutMs) {
      // The master starts the new workers, sleeps a fixed 100 ms, and only then tells the old
      // ones to stop accepting; until then they hand unmatched requests over (handover.ts).
      const confirmed = await confirmServed(s.runtimeDir, hash, retiring, { timeoutMs });
      if (confirmed) await retireHandover(s.runtimeDir, hash);
      return confirmed;
    },
    async stop(graceMs) {
      if (!s.alive()) return s.exited;
      // SIGQUIT: stop accepting, let workers finish in-flight requests (bounded by
      // worker_shutdown_timeout); the master exits only after its last worker, so its exit
      // alone means nothing is left.
      signal(s.pid, 'SIGQUIT');
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, graceMs, 'timeout')));
      const outcome = await Promise.race([s.exited, expired]);
      clearTimeout(timer);
      if (outcome !== 'timeout') return outcome;
      // Kill the workers first while the master, already quitting, reaps them and will not
      // respawn them; killing the master first would orphan them.
      const workers = childrenOf(s.pid);
      workers.forEach((worker) => killIfRunning(worker, 'SIGKILL'));
      await waitGone(workers, KILL_WAIT_MS);
      s.subprocess.kill('SIGKILL');
      const exit = await s.exited;
      await waitGone(workers, KILL_WAIT_MS);
      return exit;
    },
  };
}
