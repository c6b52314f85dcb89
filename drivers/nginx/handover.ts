/**
 * Handover: during a reload, requests the retiring configuration cannot route go to the new one.
 *
 * After a reload nginx's master starts the new workers, waits a fixed 100 ms, and only then tells
 * the old ones to stop accepting; until then a new connection is accepted by either generation.
 * A route just added answers 200 from a new worker and 404 from an old one, for up to 100 ms
 * after it first served (DESIGN's "0 non-200 once served" would not hold), and nginx 1.22 has no
 * way to shorten that window. So every generation of the configuration also listens on unix
 * sockets of its own, one per listener port, in a folder named after its hash:
 *
 *   <runtimeDir>/handover/<generation>/<port>.sock    (generation: the hash's first 12 digits)
 *
 * and wherever no rule matches, it answers the request by proxying it to `next/<port>.sock`, a
 * symlink the deployer points at the new generation's folder just before it signals the reload
 * and removes once the old workers stopped accepting. So an old worker hands a request it would
 * have answered 404 to the new configuration; outside a reload the connect fails at once (no such
 * file) and the request gets its 404 on the spot. A request that came in over a handover socket
 * (`$remote_addr` is `unix:`) is never handed on, so a stale symlink cannot make a loop; nor is a
 * request without a Host header (HTTP/1.0), which the HTTP/1.1 hop would turn into a 400.
 *
 * The socket paths are relative: nginx resolves them against its working directory, which the
 * deployer makes `<runtimeDir>/handover` (mode 0711). Workers, which drop to an unprivileged user
 * when nginx runs as root, can then reach the sockets even when the runtime folder's parents are
 * private to root. `nginx -t` binds the sockets it reads, so validation runs in a folder of its
 * own (`checkDir`), never where the running generation's sockets are.
 *
 * What it does not cover: a route removed or changed keeps its old answer from old workers for
 * that window (they still match it); only "no rule matches" is handed over. nginx logs the
 * removal of each retired socket at `warn` ("deleting socket <generation>/<port>.sock").
 */
import { chownSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { GENERATION_PLACEHOLDER } from './fragments.js';

/** The working directory of nginx, below the runtime folder. */
const HANDOVER_DIR = 'handover';
/** The symlink naming the generation a reload brings in. */
const NEXT = 'next';
/** Where `nginx -t` runs: it creates and deletes the sockets of the configuration it checks. */
const CHECK_DIR = 'check';
/** Traversable by the workers' user, listable by the owner only. */
const DIR_MODE = 0o711;

/** The folder name of a configuration's handover sockets. */
export function generationOf(hash: string): string {
  return hash.slice(0, 12);
}

/**
 * The `listen` address of `port`'s handover socket in `generation` (hex, or the placeholder
 * fragments.ts fills in): written unquoted, nothing in it comes from a user.
 */
export function handoverListen(generation: string, port: number): string {
  if (!(/^[0-9a-f]+$/.test(generation) || generation === GENERATION_PLACEHOLDER) || !Number.isInteger(port))
    throw new Error(`internal: bad handover generation ${JSON.stringify(generation)} or port ${port}`);
  return `unix:${generation}/${port}.sock`;
}

/** The `proxy_pass` target an old generation hands `port`'s unmatched requests to. */
export function handoverTarget(port: number): string {
  return `http://unix:${NEXT}/${port}.sock:`;
}

export function handoverDir(runtimeDir: string): string {
  return path.join(runtimeDir, HANDOVER_DIR);
}

/**
 * `dir` and its missing parents below `runtimeDir`, owned like `runtimeDir`: nginx binds the
 * sockets there as its own user, which may not be ours (a root deployer, an unprivileged nginx).
 *
 * The folder work of this file is synchronous where it sits on the path of a change (before the
 * check, before the reload): a few local folder operations, where each promised one waits for a
 * thread-pool round trip (~5 ms of the reload step at 3,000 routes, measured in S2).
 */
function makeDir(runtimeDir: string, dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  const owner = statSync(runtimeDir);
  if (owner.uid === process.getuid?.() && owner.gid === process.getgid?.()) return;
  for (let made = dir; made.length >= first.length; made = path.dirname(made))
    chownSync(made, owner.uid, owner.gid);
}

/**
 * Before nginx first starts on `hash`: a clean handover folder holding the generation's folder.
 * Sockets left by an nginx that was killed would make its bind() fail; nothing serves on them,
 * since the runtime folder belongs to the proxy about to start.
 */
export function resetHandover(runtimeDir: string, hash: string): string {
  const dir = handoverDir(runtimeDir);
  rmSync(dir, { recursive: true, force: true });
  makeDir(runtimeDir, path.join(dir, generationOf(hash)));
  return dir;
}

/**
 * Before the reload to `hash`, which nothing serves yet: its generation's folder, empty (a reload
 * of it that failed half way may have left a socket file, which would make bind() fail again),
 * where the master will bind the new sockets, and `next` pointing there (replaced atomically: a
 * rename over the old link).
 */
export function prepareHandover(runtimeDir: string, hash: string): void {
  const dir = handoverDir(runtimeDir);
  const generation = generationOf(hash);
  rmSync(path.join(dir, generation), { recursive: true, force: true });
  makeDir(runtimeDir, path.join(dir, generation));
  const staged = path.join(dir, `${NEXT}.new`);
  rmSync(staged, { force: true });
  symlinkSync(generation, staged);
  renameSync(staged, path.join(dir, NEXT));
}

/**
 * Once no worker of an older generation accepts any more: remove `next`, so unmatched requests
 * get their 404 without a hop, and the folders of older generations (nginx deleted their sockets
 * when it loaded the new configuration).
 */
export async function retireHandover(runtimeDir: string, hash: string): Promise<void> {
  const dir = handoverDir(runtimeDir);
  const current = generationOf(hash);
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => name !== current)
      .map((name) => rm(path.join(dir, name), { recursive: true, force: true })),
  );
}

/**
 * A folder for `nginx -t` on the configuration `hash`, removed when `check` settles. The checker
 * binds the handover sockets there (and deletes them), not beside the running generation's. One
 * check at a time per runtime folder, as every deployer runs them.
 */
export async function inCheckDir<T>(
  runtimeDir: string,
  hash: string,
  check: (cwd: string) => Promise<T>,
): Promise<T> {
  const dir = path.join(runtimeDir, CHECK_DIR);
  rmSync(dir, { recursive: true, force: true });
  makeDir(runtimeDir, path.join(dir, generationOf(hash)));
  try {
    return await check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
