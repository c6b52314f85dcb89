/**
 * A private copy of examples/quickstart whose backend addresses are moved to another loopback
 * range, so tests never collide with a quickstart a developer has running.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const QUICKSTART = fileURLToPath(new URL('../../examples/quickstart/', import.meta.url));

export async function copyQuickstart(target: string, backendPrefix: string): Promise<string> {
  await cp(QUICKSTART, target, { recursive: true });
  for (const file of await readdir(target)) {
    const full = path.join(target, file);
    const text = await readFile(full, 'utf8');
    await writeFile(full, text.replaceAll('127.0.10.', backendPrefix));
  }
  return target;
}
