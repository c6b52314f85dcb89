/**
 * The files source, watching: keeps the store equal to what the files say.
 *
 * Change detection does not trust a recursive `fs.watch` alone: it loses track of a file that is
 * replaced by rename, which is how editors and tools write. Instead every folder (and the folder
 * of every file named on the command line) gets its own watch, any event schedules a rescan, and
 * a rescan stats every manifest file and re-parses only those whose identity or size or times
 * changed. A slow poll does the same, in case an event is ever missed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { KubeObject } from '../api/kinds.js';
import type { Store } from '../store/index.js';
import {
  listManifestFiles,
  mergeParsed,
  parseManifestFile,
  type FileProblem,
  type IgnoredKind,
  type ParsedFile,
} from './files.js';

export interface FileSourceOptions {
  readonly paths: readonly string[];
  readonly store: Store;
  readonly watch: boolean;
  /** Called with problems not reported before (a fixed file that breaks again is reported again). */
  readonly onProblems: (problems: readonly FileProblem[]) => void;
  /** Called once per kind that is not read. */
  readonly onIgnoredKind: (ignored: IgnoredKind) => void;
  /** Quiet time after an event before rescanning; small, since it adds to propagation time. */
  readonly debounceMs?: number;
  readonly pollIntervalMs?: number;
}

interface CachedFile {
  readonly signature: string;
  readonly parsed: ParsedFile;
}

const objectKey = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

export class FileSource {
  private readonly cache = new Map<string, CachedFile>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly reported = new Set<string>();
  private readonly ignoredKinds = new Set<string>();
  private current = new Map<string, KubeObject>();
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescanAgain = false;
  private stopped = false;

  constructor(private readonly options: FileSourceOptions) {}

  /** Load everything once into the store, then follow changes if watching. */
  async start(): Promise<void> {
    await this.scan();
    if (!this.options.watch) return;
    this.poll = setInterval(() => this.schedule(0), this.options.pollIntervalMs ?? 2000);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.scanning;
  }

  private schedule(delayMs = this.options.debounceMs ?? 5): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.rescan(), delayMs);
  }

  /** One scan at a time; events during a scan cause exactly one more. */
  private async rescan(): Promise<void> {
    if (this.scanning) {
      this.rescanAgain = true;
      return;
    }
    do {
      this.rescanAgain = false;
      this.scanning = this.scan();
      await this.scanning;
      this.scanning = undefined;
    } while (this.rescanAgain && !this.stopped);
  }

  private async scan(): Promise<void> {
    const { files, folders, problems } = await listManifestFiles(this.options.paths);
    if (this.options.watch) this.updateWatches(folders, files);
    const parsed = [];
    for (const file of files) parsed.push({ file, result: await this.parsed(file) });
    for (const gone of [...this.cache.keys()].filter((file) => !files.includes(file)))
      this.cache.delete(gone);
    const loaded = mergeParsed(parsed, problems);
    this.report(loaded.problems, loaded.ignored);

    const next = new Map(loaded.objects.map((object) => [objectKey(object), object]));
    const deletions = [...this.current.entries()]
      .filter(([key]) => !next.has(key))
      .map(([, o]) => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }));
    // Unchanged files keep their parsed objects (the cache), so identity tells what changed:
    // the store then compares only those, which matters with thousands of objects.
    const changed = [...next.entries()]
      .filter(([key, object]) => this.current.get(key) !== object)
      .map(([, o]) => o);
    this.current = next;
    if (changed.length > 0 || deletions.length > 0) this.options.store.apply(changed, deletions);
  }

  /**
   * The file's parsed content, re-read only when it changed on disk. A file that cannot be
   * parsed at all keeps its last good content, as an API server keeps the last accepted object
   * when an update is rejected; the problem is still reported.
   */
  private async parsed(file: string): Promise<ParsedFile> {
    const info = await stat(file).catch(() => undefined);
    const signature = info ? `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}` : 'missing';
    const cached = this.cache.get(file);
    if (cached?.signature === signature) return cached.parsed;
    const fresh = await parseManifestFile(file);
    const result = fresh.unreadable && cached ? { ...cached.parsed, problems: fresh.problems } : fresh;
    this.cache.set(file, { signature, parsed: fresh.unreadable && cached ? cached.parsed : fresh });
    return result;
  }

  private report(problems: readonly FileProblem[], ignored: readonly IgnoredKind[]): void {
    const current = new Set<string>();
    const fresh: FileProblem[] = [];
    for (const problem of problems) {
      const key = `${problem.file}|${problem.document ?? ''}|${problem.reason}`;
      current.add(key);
      if (!this.reported.has(key)) fresh.push(problem);
    }
    // Forget problems that went away, so that the same mistake made again is reported again.
    this.reported.clear();
    for (const key of current) this.reported.add(key);
    if (fresh.length > 0) this.options.onProblems(fresh);
    for (const entry of ignored) {
      const key = `${entry.apiVersion}/${entry.kind}`;
      if (this.ignoredKinds.has(key)) continue;
      this.ignoredKinds.add(key);
      this.options.onIgnoredKind(entry);
    }
  }

  /** Watch every folder we read and the folder of every file named directly. */
  private updateWatches(folders: readonly string[], files: readonly string[]): void {
    const wanted = new Set(folders);
    for (const p of this.options.paths) {
      const resolved = path.resolve(p);
      if (files.includes(resolved) || !folders.includes(resolved)) wanted.add(path.dirname(resolved));
    }
    for (const [folder, watcher] of this.watchers) {
      if (wanted.has(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
    }
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, () => this.schedule());
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(folder);
          this.schedule();
        });
        this.watchers.set(folder, watcher);
      } catch {
        // The folder vanished between listing and watching; the next scan sees it gone.
      }
    }
  }
}
