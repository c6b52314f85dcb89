/**
 * Where the haproxy executable is. Debian installs it in /usr/sbin, which the PATH of a non-root
 * user usually lacks, so the sbin directories are searched after PATH. Looked up at first use,
 * not at import, and then remembered.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
let found: string | undefined;

export function haproxyBinary(): string {
  if (found !== undefined) return found;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== ''), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'haproxy');
    try {
      accessSync(candidate, constants.X_OK);
      found = candidate;
      return candidate;
    } catch {
      // not here: try the next directory
    }
  }
  throw new Error(`haproxy not found in ${dirs.join(path.delimiter)}`);
}
