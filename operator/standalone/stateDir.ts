/**
 * The state folder: one sub-folder per Gateway, and a lock so that two gateplane processes never
 * drive the same proxies.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { NamespacedName } from '../model/index.js';

/**
 * Folder names longer than this are shortened: the proxies' unix sockets live in the folder and
 * a socket path may not exceed 107 bytes, while a Gateway name alone may have 253 characters.
 */
const MAX_FOLDER_NAME = 40;

/**
 * `<namespace>_<name>`: namespaces and names cannot contain `_`, so this is one folder per
 * Gateway, unambiguously. A long one keeps a readable prefix and ends with a hash of the whole.
 */
export function gatewayFolder(stateDir: string, gateway: NamespacedName): string {
  const full = `${gateway.namespace}_${gateway.name}`;
  if (full.length <= MAX_FOLDER_NAME) return path.join(stateDir, full);
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 12);
  return path.join(stateDir, `${full.slice(0, MAX_FOLDER_NAME - hash.length - 1)}-${hash}`);
}

export class StateDirLockedError extends Error {}

/** Take the lock or explain who holds it. A lock left by a dead process is taken over. */
export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true, mode: 0o755 });
  const lockFile = path.join(stateDir, 'gateplane.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        await rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && processExists(holder)) {
        throw new StateDirLockedError(
          `another gateplane (pid ${holder}) is using the state folder ${stateDir}; stop it or choose another --state-dir`,
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new StateDirLockedError(`could not lock the state folder ${stateDir}`);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
