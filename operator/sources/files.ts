/**
 * Reading manifests from files: folders are walked recursively for `.yaml`, `.yml` and
 * `.json`; YAML files may hold many documents. Every problem names the file and, where there is
 * one, the document index, and never stops the other documents from loading.
 */
import { readFileSync, type Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseObject, type KubeObject } from '../api/kinds.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface FileProblem {
  readonly file: string;
  /** 0-based index of the document in the file; undefined when the whole file is at fault. */
  readonly document?: number;
  readonly reason: string;
}

export interface IgnoredKind {
  readonly file: string;
  readonly document: number;
  readonly apiVersion: string;
  readonly kind: string;
}

export interface ParsedFile {
  readonly objects: readonly KubeObject[];
  readonly problems: readonly FileProblem[];
  readonly ignored: readonly IgnoredKind[];
  /** True when the file could not be read or is not YAML at all. */
  readonly unreadable: boolean;
}

export interface LoadedFiles {
  readonly objects: readonly KubeObject[];
  readonly problems: readonly FileProblem[];
  readonly ignored: readonly IgnoredKind[];
}

/**
 * Every manifest file under `paths`, sorted, so loading order (and duplicate handling) is stable.
 *
 * This runs on every rescan while watching, so folders are read with their entries' types: a
 * regular file or a folder needs no `stat`, which with thousands of route files was most of a
 * rescan. Links (followed, as `stat` does) and the paths named on the command line still get one.
 */
export async function listManifestFiles(
  paths: readonly string[],
): Promise<{ files: string[]; folders: string[]; problems: FileProblem[] }> {
  const files = new Set<string>();
  const folders = new Set<string>();
  const problems: FileProblem[] = [];
  const walkFolder = async (folder: string): Promise<void> => {
    folders.add(folder);
    const children = await readdir(folder, { withFileTypes: true }).catch(() => [] as Dirent[]);
    for (const child of children.sort(byName)) {
      if (child.name.startsWith('.')) continue;
      const entry = path.join(folder, child.name);
      if (child.isDirectory()) await walkFolder(entry);
      else if (child.isFile()) {
        if (isManifestName(entry)) files.add(entry);
      } else await walk(entry, false);
    }
  };
  const walk = async (entry: string, explicit: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(entry);
    } catch (error) {
      if (explicit) problems.push({ file: entry, reason: describeFsError(error) });
      return;
    }
    if (info.isDirectory()) await walkFolder(path.resolve(entry));
    else if (info.isFile() && (explicit || isManifestName(entry))) files.add(path.resolve(entry));
  };
  for (const p of paths) await walk(p, true);
  return { files: [...files].sort(), folders: [...folders].sort(), problems };
}

/** Whether a listed folder's file is read: a manifest extension (files named directly always are). */
export function isManifestName(file: string): boolean {
  return MANIFEST_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** The order `string[].sort()` gives names (UTF-16 code units), which the walk always used. */
function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export async function parseManifestFile(file: string): Promise<ParsedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return unreadableFile(file, error);
  }
  return parseManifestText(file, text);
}

/**
 * parseManifestFile, reading synchronously: for the few files a watch event names, where the
 * promised read's four thread-pool round trips (open, stat, read, close) cost more than the
 * read of a small local file.
 */
export function parseManifestFileSync(file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return unreadableFile(file, error);
  }
  return parseManifestText(file, text);
}

function unreadableFile(file: string, error: unknown): ParsedFile {
  return { objects: [], problems: [{ file, reason: describeFsError(error) }], ignored: [], unreadable: true };
}

export function parseManifestText(file: string, text: string): ParsedFile {
  const objects: KubeObject[] = [];
  const problems: FileProblem[] = [];
  const ignored: IgnoredKind[] = [];
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return { objects, problems, ignored, unreadable: false }; // empty file
  let unreadable = false;
  documents.forEach((doc, document) => {
    if (doc.errors.length > 0) {
      unreadable ||= documents.length === 1;
      problems.push({
        file,
        document,
        reason: `not valid YAML: ${firstLine(doc.errors[0]?.message ?? 'parse error')}`,
      });
      return;
    }
    const raw: unknown = doc.toJS();
    if (raw === null || raw === undefined) return; // `---` with nothing after it
    const result = parseObject(raw);
    if (result.outcome === 'ok') objects.push(result.object);
    else if (result.outcome === 'ignored')
      ignored.push({ file, document, apiVersion: result.apiVersion, kind: result.kind });
    else problems.push({ file, document, reason: result.reason });
  });
  return { objects, problems, ignored, unreadable };
}

/** Load everything once: for `render` and for the first pass of the watching source. */
export async function loadFiles(paths: readonly string[]): Promise<LoadedFiles> {
  const { files, problems } = await listManifestFiles(paths);
  const parsed = await Promise.all(
    files.map(async (file) => ({ file, result: await parseManifestFile(file) })),
  );
  return mergeParsed(parsed, problems);
}

/**
 * Combine parsed files into one object set. The same object in two places is a mistake worth
 * reporting; the first one in path order is kept, so the outcome does not depend on timing.
 */
export function mergeParsed(
  parsed: readonly { file: string; result: ParsedFile }[],
  initial: readonly FileProblem[] = [],
): LoadedFiles {
  const byKey = new Map<string, { object: KubeObject; file: string }>();
  const problems = [...initial];
  const ignored: IgnoredKind[] = [];
  for (const { file, result } of parsed) {
    problems.push(...result.problems);
    ignored.push(...result.ignored);
    for (const object of result.objects) {
      const key = `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`;
      const first = byKey.get(key);
      if (first) {
        problems.push({ file, reason: `${key} is also defined in ${first.file}; that definition is used` });
        continue;
      }
      byKey.set(key, { object, file });
    }
  }
  return { objects: [...byKey.values()].map(({ object }) => object), problems, ignored };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT'
    ? 'no such file or folder'
    : code === 'EACCES'
      ? 'permission denied'
      : String(error);
}
