/**
 * A proxy left behind by an earlier gateplane that was killed without a chance to clean up
 * still holds its ports. Before starting a proxy in a folder, stop whatever proxy the folder's
 * pid file names, if that process really is a proxy of this folder (its command line mentions
 * the folder), so a recycled pid is never killed by mistake.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

const GRACE_MS = 2000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopStrayProcess(pidFile: string): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (alive(pid) && cmdline.includes(path.dirname(pidFile))) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + GRACE_MS;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(pidFile, { force: true });
}
