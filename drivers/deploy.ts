/**
 * The apply sequence shared by every deployer (standalone today, the in-cluster agent later):
 * stage the rendered files beside the live ones, validate with the proxy's own binary, commit by
 * rename, reload, and confirm through the status socket that the new configuration serves.
 * Nothing here knows Kubernetes or a particular proxy.
 *
 * Every file except `main` must be named by its content (for example `certs/<sha256>.pem`), so
 * writing it can never change what the running proxy reads; only `main` is staged under a
 * candidate name and swapped in by rename.
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { candidatePath, statusSocketPath, type RenderedConfig } from './driver.js';
import { listeningCheck, type ProcessRef } from './procfs.js';

/**
 * Write `content` to `target` so that readers see the old or the new bytes, never a mix.
 *
 * Synchronous, as the staging below: the files are local and few, and each promised call would
 * wait for a thread-pool round trip (on an idle machine the wake-ups cost more than the writes:
 * about 2 ms of a route's 3,000-route propagation, against 0.3 ms written in place).
 */
export function writeFileAtomic(target: string, content: string, mode = 0o644): void {
  // A private file (a key) gets a private folder: 0700 when the file is readable by its owner only.
  mkdirSync(path.dirname(target), { recursive: true, mode: (mode & 0o077) === 0 ? 0o700 : 0o755 });
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, target);
}

/** Write every file of `config` into `runtimeDir`, the main file under its candidate name. */
export function stageFiles(config: RenderedConfig, runtimeDir: string): void {
  for (const file of config.files) {
    if (file.path === config.main) {
      writeFileAtomic(path.join(runtimeDir, candidatePath(file.path)), file.content, file.mode ?? 0o644);
      continue;
    }
    // Named by its content and only ever written whole (temp file, rename): a file already
    // there under this name holds these bytes, so writing it again would change nothing.
    const target = path.join(runtimeDir, file.path);
    const present = statSync(target, { throwIfNoEntry: false });
    if (!present?.isFile() || present.size !== Buffer.byteLength(file.content))
      writeFileAtomic(target, file.content, file.mode ?? 0o644);
  }
}

/** Make the staged candidate the configuration the proxy reads on its next (re)load. */
export function commitFiles(config: RenderedConfig, runtimeDir: string): void {
  renameSync(path.join(runtimeDir, candidatePath(config.main)), path.join(runtimeDir, config.main));
}

/**
 * Ask the proxy's status endpoint which configuration hash it serves. Resolves `undefined`
 * when nothing answers (proxy starting, reloading or gone).
 */
export function readServedHash(runtimeDir: string, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = http.get(
      { socketPath: statusSocketPath(runtimeDir), path: '/', agent: false, timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve(response.statusCode === 200 ? body.trim() : undefined));
        response.on('error', () => resolve(undefined));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** Poll the status endpoint until it serves `hash`; false if `timeoutMs` passes first. */
export function waitForServedHash(runtimeDir: string, hash: string, timeoutMs: number): Promise<boolean> {
  return confirmServed(runtimeDir, hash, [], { timeoutMs });
}

/**
 * Poll until the status endpoint answers `hash` and none of `retiring` (the workers of the
 * previous configuration) accepts connections any more: while they do, a new connection may
 * still meet the previous configuration even though the endpoint already answers the new hash.
 * False when `timeoutMs` passes first, or at once when `stop` aborts.
 */
export async function confirmServed(
  runtimeDir: string,
  hash: string,
  retiring: readonly ProcessRef[],
  { timeoutMs, stop }: { readonly timeoutMs: number; readonly stop?: AbortSignal },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const listening = listeningCheck(retiring);
  for (;;) {
    if (stop?.aborted) return false;
    if ((await readServedHash(runtimeDir)) === hash && listening().length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The folders of content-addressed files: certificates, and HAProxy's route maps. */
export const CONTENT_FOLDERS = ['certs', 'maps'] as const;

/**
 * Remove content-addressed files (certificates, maps) that the configuration now serving no
 * longer lists. Call only once the proxy confirmed it serves `config`: until then the previous
 * configuration may still read them.
 */
export async function pruneFiles(config: RenderedConfig, runtimeDir: string): Promise<void> {
  const keep = new Set(config.files.map((file) => file.path));
  for (const folder of CONTENT_FOLDERS) {
    const entries = await readdir(path.join(runtimeDir, folder)).catch(() => [] as string[]);
    await Promise.all(
      entries
        .map((name) => `${folder}/${name}`)
        .filter((file) => !keep.has(file))
        .map((file) => rm(path.join(runtimeDir, file), { force: true })),
    );
  }
}
