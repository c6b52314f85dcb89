/** Stage a rendered config in a fresh temporary runtime directory and run the real checker on it. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stageFiles } from '../../../../drivers/deploy.js';
import type { RenderedConfig, ValidationResult } from '../../../../drivers/driver.js';
import { haproxyBinary } from '../../../../drivers/haproxy/binary.js';
import { haproxyDriver } from '../../../../drivers/haproxy/index.js';

export async function tempRuntimeDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'gp-haproxy-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function check(config: RenderedConfig, runtimeDir: string): Promise<ValidationResult> {
  stageFiles(config, runtimeDir);
  return haproxyDriver.validate(config, runtimeDir);
}

/** The configuration's directive lines, without comments and blank lines. */
export function directives(content: string): string[] {
  return content.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/**
 * Run HAProxy (one process, no master) on `config`, which must bind `unix@<dir>/words.sock`, and
 * return the body of one `GET /`: the proof of what HAProxy made of quoted words. The process is
 * killed before this resolves, whatever happens.
 */
export async function answerOnce(dir: string, config: string): Promise<string> {
  const file = path.join(dir, 'words.cfg');
  await writeFile(file, config);
  const child = execa(haproxyBinary(), ['-db', '-f', file], { reject: false, stdin: 'ignore', all: true });
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const body = await getOnce(path.join(dir, 'words.sock'));
      if (body !== undefined) return body;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`haproxy did not answer:\n${(await child).all}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGKILL');
    await child;
  }
}

function getOnce(socketPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
  });
}
