/** The hand-written configurations of baselines/, with their `@NAME@` placeholders filled in. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const BASELINES = new URL('./baselines/', import.meta.url);

/** Fill `baselines/<name>` and write it to `<dir>/<name>`; returns the written path. */
export async function writeBaseline(
  name: string,
  dir: string,
  values: Readonly<Record<string, string>>,
): Promise<string> {
  let text = await readFile(new URL(name, BASELINES), 'utf8');
  for (const [key, value] of Object.entries({ ...values, DIR: dir }))
    text = text.replaceAll(`@${key}@`, value);
  const missing = /@[A-Z]+@/.exec(text);
  if (missing) throw new Error(`baselines/${name}: no value for ${missing[0]}`);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}
