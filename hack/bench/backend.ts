/**
 * The backend all scenarios share: one nginx worker (baselines/backend.nginx.conf) answering
 * `200 ok` on every backend address scenarios use, pinned to the load generator's CPU.
 */
import path from 'node:path';
import { sleep } from './clock.js';
import { writeBaseline } from './configTemplate.js';
import { BACKEND_PORT, backendAddress } from './manifests.js';
import { probeOnce } from './probe.js';
import type { Processes, Tracked } from './processes.js';

/** Endpoints S6 scales up to; every other scenario uses the first one or two. */
export const BACKEND_ADDRESSES = 50;

export async function startBackend(processes: Processes, workDir: string, cpus: string): Promise<Tracked> {
  const dir = path.join(workDir, 'backend');
  const listens = Array.from(
    { length: BACKEND_ADDRESSES },
    (_, i) => `        listen ${backendAddress(i + 1)}:${BACKEND_PORT} backlog=4096;`,
  ).join('\n');
  const config = await writeBaseline('backend.nginx.conf', dir, { LISTENS: listens });
  const backend = processes.spawn(
    'backend nginx',
    '/usr/sbin/nginx',
    ['-p', `${dir}/`, '-e', path.join(dir, 'error.log'), '-c', config],
    { cpus },
  );
  await waitForStatus({ address: backendAddress(1), port: BACKEND_PORT, host: 'backend' }, 200, backend);
  return backend;
}

/** Poll until `target` answers `status`, or fail with the process's output after 10 s. */
export async function waitForStatus(
  target: { address: string; port: number; host: string },
  status: number,
  owner: Tracked,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void owner.exited.then(() => (gone = true));
  for (;;) {
    if ((await probeOnce(target, 1000)).status === status) return;
    if (gone) throw new Error(`${owner.name} exited: ${owner.output()}`);
    if (Date.now() > deadline)
      throw new Error(
        `${owner.name} does not answer ${status} on ${target.address}:${target.port}: ${owner.output()}`,
      );
    await sleep(20);
  }
}
