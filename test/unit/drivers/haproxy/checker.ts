/** Stage a rendered config in a fresh temporary runtime directory and run the real checker on it. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stageFiles } from '../../../../drivers/deploy.js';
import type { RenderedConfig, ValidationResult } from '../../../../drivers/driver.js';
import { haproxyDriver } from '../../../../drivers/haproxy/index.js';

export async function tempRuntimeDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'gp-haproxy-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function check(config: RenderedConfig, runtimeDir: string): Promise<ValidationResult> {
  await stageFiles(config, runtimeDir);
  return haproxyDriver.validate(config, runtimeDir);
}

/** The configuration's directive lines, without comments and blank lines. */
export function directives(content: string): string[] {
  return content.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}
