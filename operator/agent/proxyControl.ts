/**
 * Reloading a proxy this process did not start: the one in the pod's proxy container, reached
 * through the runtime directory both containers mount (the pod shares its process namespace, so
 * a pid read there can be signalled from here).
 * - nginx: SIGHUP to the master, whose pid nginx writes to `<runtimeDir>/nginx.pid`.
 * - HAProxy: `reload` on the master CLI, `<runtimeDir>/master.sock`. On 2.6 the command answers
 *   nothing; the master's counters (`show proc`) tell when the re-execution finished and
 *   whether the new file loaded.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { masterCommand, readMasterCounters, type MasterCounters } from '../../drivers/haproxy/masterCli.js';
import { masterSocketPath } from '../../drivers/haproxy/process.js';
import { prepareHandover, retireHandover } from '../../drivers/nginx/handover.js';
import { childrenOf, processRef, type ProcessRef } from '../../drivers/procfs.js';
import type { DriverName } from '../model/types.js';

/** The proxy kept serving its previous configuration: the new one did not load. */
export class ReloadRefusedError extends Error {}

const POLL_MS = 20;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function nginxPidFile(runtimeDir: string): string {
  return path.join(runtimeDir, 'nginx.pid');
}

async function reloadNginx(runtimeDir: string): Promise<ProcessRef[]> {
  const file = nginxPidFile(runtimeDir);
  const text = await readFile(file, 'utf8').catch((cause: unknown) => {
    throw new Error(`read the nginx master's pid from ${file}`, { cause });
  });
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${file} holds no pid: ${JSON.stringify(text)}`);
  const retiring = childrenOf(pid);
  try {
    process.kill(pid, 'SIGHUP');
  } catch (cause) {
    throw new Error(`signal the nginx master ${pid} to reload`, { cause });
  }
  return retiring;
}

async function waitForCounters(
  socket: string,
  accept: (counters: MasterCounters) => boolean,
  deadline: number,
): Promise<MasterCounters> {
  for (;;) {
    const counters = await readMasterCounters(socket);
    if (counters !== undefined && accept(counters)) return counters;
    if (Date.now() >= deadline) throw new Error(`the HAProxy master at ${socket} did not finish reloading`);
    await sleep(POLL_MS);
  }
}

async function reloadHaproxy(runtimeDir: string, timeoutMs: number): Promise<ProcessRef[]> {
  const socket = masterSocketPath(runtimeDir);
  const deadline = Date.now() + timeoutMs;
  // The master answers its CLI only once in its event loop, a moment after its workers started.
  const before = await waitForCounters(socket, () => true, deadline);
  const retiring = before.workers.flatMap((pid) => processRef(pid) ?? []);
  while ((await masterCommand(socket, 'reload')) === undefined) {
    if (Date.now() >= deadline)
      throw new Error(`the HAProxy master at ${socket} did not take the reload command`);
    await sleep(POLL_MS);
  }
  const after = await waitForCounters(socket, (counters) => counters.reloads > before.reloads, deadline);
  if (after.failed > before.failed)
    throw new ReloadRefusedError('HAProxy kept its previous configuration: the new one failed to load');
  return retiring;
}

/**
 * What must be in place before the proxy loads the configuration `hash`, by a reload or its first
 * start: nginx's handover folder for it (drivers/nginx/handover.ts), which nginx runs in.
 */
export function prepareLoad(driver: DriverName, runtimeDir: string, hash: string): void {
  if (driver === 'nginx') prepareHandover(runtimeDir, hash);
}

/** Once the proxy serves `hash` and no older worker accepts: what the older ones needed goes. */
export async function finishLoad(driver: DriverName, runtimeDir: string, hash: string): Promise<void> {
  if (driver === 'nginx') await retireHandover(runtimeDir, hash);
}

/**
 * Ask the running proxy to load the committed configuration; resolves once it was asked (nginx)
 * or reloaded (HAProxy), with the workers that served until then: they go on accepting for a
 * moment, so the reload is complete only once none of them listens any more (procfs.ts).
 */
export async function reloadProxy(
  driver: DriverName,
  runtimeDir: string,
  timeoutMs: number,
): Promise<ProcessRef[]> {
  switch (driver) {
    case 'nginx':
      return reloadNginx(runtimeDir);
    case 'haproxy':
      return reloadHaproxy(runtimeDir, timeoutMs);
  }
}

/**
 * nginx's last error lines from `<runtimeDir>/error.log`: why a reload did not take. The agent
 * cannot see the proxy container's stderr; the log file is the only trace it has.
 */
export async function nginxErrorTail(runtimeDir: string, lines = 5): Promise<string> {
  const text = await readFile(path.join(runtimeDir, 'error.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => /\[(emerg|alert|crit)\]/.test(line))
    .slice(-lines)
    .join('\n');
}
