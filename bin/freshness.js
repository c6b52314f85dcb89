/**
 * Whether dist/ (`npm run build`, which `npm ci` runs through `prepare`) may run instead of the
 * TypeScript sources: it was built, and after every file it was built from. A checkout edited
 * since its last build runs its sources, so what runs is always what the files say.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** What dist/ is built from (hack/build.mjs); those absent (the image has no bench) count as old. */
const SOURCES = [
  'operator',
  'drivers',
  'templates',
  'hack/bench',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

/** The latest modification time under `entry`, or -Infinity when there is nothing. */
function newest(entry) {
  let info;
  try {
    info = statSync(entry);
  } catch {
    return -Infinity;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs; // a file deleted since the build
  for (const name of readdirSync(entry)) latest = Math.max(latest, newest(path.join(entry, name)));
  return latest;
}

export function distIsFresh(root = ROOT) {
  let built;
  try {
    built = statSync(path.join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return false;
  }
  return SOURCES.every((source) => newest(path.join(root, source)) < built);
}
