/**
 * The files source, watching: keeps the store equal to what the files say.
 *
 * Change detection does not trust a recursive `fs.watch` alone: it loses track of a file that is
 * replaced by rename, which is how editors and tools write. Instead every folder (and the folder
 * of every file named on the command line) gets its own watch, any event schedules a rescan, and
 * a rescan lists the folders again and re-parses only the files whose identity or size or times
 * changed.
 *
 * Which files a rescan stats depends on why it runs. Events name the entry that changed, so a
 * rescan caused by events stats only the files they named and the files it has not seen before:
 * with thousands of route files, stating all of them was most of the cost of adding one. A slow
 * poll, an event without a name, or one naming anything but a plain file (a folder, a link that
 * files are read through) stats every file, in case an event is ever missed or a change reaches
 * files no event names.
 *
 * A scan for named plain files alone does not even list the folders: it reads those files and
 * replaces their objects, which costs the same with ten files or ten thousand. It falls back to
 * the full scan whenever the result could differ from one: an object defined in another file
 * too (the first file in listing order wins), a file outside the folders listed last time.
 * Those few files are looked at and read synchronously: each promised call waits for a
 * thread-pool round trip, which on an idle machine costs more than reading a small local file,
 * and this is the path of every change made by writing a file.
 */
import { lstatSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../api/kinds.js';
import type { Store } from '../store/index.js';
import {
  isManifestName,
  listManifestFiles,
  mergeParsed,
  parseManifestFile,
  parseManifestFileSync,
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
  /** Called when a scan after the first fails; the next event or poll scans everything again. */
  readonly onScanError?: (error: unknown) => void;
  /**
   * Quiet time after an event before rescanning. By default none beyond the current turn of the
   * event loop: the events of one write (a rename into place may fire two) arrive together and
   * are taken by one scan, and any wait adds to every change's time to serve. A burst needs no
   * longer window: events that arrive while a scan runs are all taken by the next one.
   */
  readonly debounceMs?: number;
  /** How long a file changed in place must rest before it is read (default QUIET_MS). */
  readonly quietMs?: number;
  readonly pollIntervalMs?: number;
}

interface CachedFile {
  readonly signature: string;
  readonly parsed: ParsedFile;
}

/** A named file that changed: its cache entry before and after (none: deleted), what it gives. */
interface NamedUpdate {
  readonly file: string;
  readonly before: CachedFile | undefined;
  readonly after?: CachedFile;
  readonly result?: ParsedFile;
}

/** What events asked the next scan to look at: the paths they named, or everything. */
interface Pending {
  readonly everything: boolean;
  readonly named: ReadonlySet<string>;
}

/** How long a file changed in place must rest before it is read, at most (changedInPlaceTooSoon). */
const QUIET_MS = 50;
const MAX_SETTLE_MS = 1000;

const objectKey = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/**
 * What tells a file changed: its identity (a file renamed into place is a new inode), its size
 * and its times. Taken before reading, so that a write racing the read shows at the next stat.
 *
 * Synchronous: a stat of a local file takes microseconds, and its promised form costs ten times
 * more in CPU (measured: 3,000 files, 22 ms against 50–260 ms), which the poll's full scan paid
 * every 2 s. Full scans take them in slices (signaturesOf) so the event loop stays responsive.
 */
function signatureOf(file: string): string {
  let info: Stats | undefined;
  try {
    info = statSync(file, { throwIfNoEntry: false });
  } catch {
    info = undefined; // unreadable: as good as missing until it can be read
  }
  return info ? `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}` : 'missing';
}

/** Files stated per turn of the event loop by a full scan: about a millisecond's worth. */
const STAT_SLICE = 200;

async function signaturesOf(files: readonly string[]): Promise<Map<string, string>> {
  const signatures = new Map<string, string>();
  for (let at = 0; at < files.length; at += STAT_SLICE) {
    if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const file of files.slice(at, at + STAT_SLICE)) signatures.set(file, signatureOf(file));
  }
  return signatures;
}

function inodeOf(folder: string): number | undefined {
  try {
    return statSync(folder, { throwIfNoEntry: false })?.ino;
  } catch {
    return undefined;
  }
}

/**
 * What an event named is now: a plain file, nothing, or anything else (folder, link, unreadable).
 * Synchronous, as signatureOf: the names of one event are a few.
 */
function entryKind(name: string): 'file' | 'gone' | 'other' {
  try {
    const info = lstatSync(name, { throwIfNoEntry: false });
    return info === undefined ? 'gone' : info.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}

export class FileSource {
  private readonly cache = new Map<string, CachedFile>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** The inode of each watched folder when its watch began: a watch follows the inode. */
  private readonly watchedInodes = new Map<string, number | undefined>();
  private readonly reported = new Set<string>();
  private readonly ignoredKinds = new Set<string>();
  private current = new Map<string, KubeObject>();
  /** Cancels the scan scheduled by the last event, if it has not started. */
  private cancelScheduled: (() => void) | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescanAgain = false;
  private stopped = false;
  /** What events asked for since the running scan (if any) began; the first scan reads all. */
  private pending = { everything: true, named: new Set<string>() };
  /** Known files changed in place and not read yet: their last signature, since when, first change. */
  private readonly settling = new Map<
    string,
    { readonly signature: string; readonly since: number; readonly first: number }
  >();
  /** As of the last scan: the folders listed, how many files define each object, every problem. */
  private listedFolders: ReadonlySet<string> | undefined;
  private definers = new Map<string, number>();
  private problems: readonly FileProblem[] = [];

  constructor(private readonly options: FileSourceOptions) {}

  /** Load everything once into the store, then follow changes if watching. */
  async start(): Promise<void> {
    await this.scan();
    if (!this.options.watch) return;
    this.poll = setInterval(() => this.scheduleFull(0), this.options.pollIntervalMs ?? 2000);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelScheduled?.();
    clearTimeout(this.recheck);
    clearInterval(this.poll);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.scanning;
  }

  /** An event in `folder`: remember what it named, so that the rescan stats just that. */
  private noteEvent(folder: string, filename: string | null): void {
    if (filename === null) this.pending.everything = true;
    else this.pending.named.add(path.join(folder, filename));
    this.schedule();
  }

  private scheduleFull(delayMs?: number): void {
    this.pending.everything = true;
    this.schedule(delayMs);
  }

  private schedule(delayMs = this.options.debounceMs ?? 0): void {
    if (this.stopped) return;
    this.cancelScheduled?.();
    const run = (): void => void this.rescan();
    if (delayMs > 0) {
      const timer = setTimeout(run, delayMs);
      this.cancelScheduled = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(run);
      this.cancelScheduled = () => clearImmediate(immediate);
    }
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
      try {
        await this.scanning;
      } catch (error) {
        // A scan that fails (a folder unreadable, a store listener throwing) must not end the
        // watch: what it took is looked at again by the next one, which the poll brings.
        this.pending.everything = true;
        this.options.onScanError?.(error);
      } finally {
        this.scanning = undefined;
      }
    } while (this.rescanAgain && !this.stopped);
  }

  private async scan(): Promise<void> {
    // Taken before listing, so that what events name from here on waits for the next scan,
    // which the same events cause (rescan): a name recorded while this one runs is not lost.
    const pending = this.takePending();
    if (!pending.everything && this.scanNamed(pending.named)) return;
    const { files, folders, problems } = await listManifestFiles(this.options.paths);
    const listed = new Set(files);
    if (this.options.watch) this.updateWatches(folders, listed);
    const statAll = pending.everything || this.namesMoreThanFiles(pending.named, listed);
    const parsed = await this.readFiles(files, (file) => statAll || pending.named.has(file));
    for (const file of this.cache.keys()) if (!listed.has(file)) this.cache.delete(file);
    const loaded = mergeParsed(parsed, problems);
    this.report(loaded.problems, loaded.ignored);
    this.listedFolders = new Set(folders);
    this.problems = loaded.problems;
    this.definers = new Map();
    for (const { result } of parsed) for (const object of result.objects) this.count(objectKey(object), +1);

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
   * The scan of the files events named, alone; false, having changed nothing, when a full scan
   * is needed to give the right result (see the header).
   */
  private scanNamed(named: ReadonlySet<string>): boolean {
    const files = this.namedFiles(named);
    const updates = files && this.readNamed(files);
    if (!updates) return false;
    const { upserts, removed } = this.takeUpdates(updates);
    this.reportNamed(updates);
    const deletions = removed.map((o) => ({
      kind: o.kind,
      namespace: o.metadata.namespace,
      name: o.metadata.name,
    }));
    if (upserts.length > 0 || deletions.length > 0) this.options.store.apply(upserts, deletions);
    return true;
  }

  /** The named files' new contents into the cache and the current objects: what came and what went. */
  private takeUpdates(updates: readonly NamedUpdate[]): { upserts: KubeObject[]; removed: KubeObject[] } {
    const upserts = new Map<string, KubeObject>();
    const removed = new Map<string, KubeObject>();
    for (const { file, before, after } of updates) {
      for (const object of before?.parsed.objects ?? []) {
        const key = objectKey(object);
        this.count(key, -1);
        removed.set(key, object);
      }
      for (const object of after?.parsed.objects ?? []) {
        const key = objectKey(object);
        this.count(key, +1);
        upserts.set(key, object);
        removed.delete(key);
      }
      if (after) this.cache.set(file, after);
      else this.cache.delete(file);
    }
    for (const key of removed.keys()) this.current.delete(key);
    for (const [key, object] of upserts) this.current.set(key, object);
    return { upserts: [...upserts.values()], removed: [...removed.values()] };
  }

  /** The problems of the files updated replace theirs; those of other files stay as they were. */
  private reportNamed(updates: readonly NamedUpdate[]): void {
    const changedFiles = new Set(updates.map((u) => u.file));
    this.problems = [
      ...this.problems.filter((problem) => !changedFiles.has(problem.file)),
      ...updates.flatMap(({ result }) => result?.problems ?? []),
    ];
    this.report(
      this.problems,
      updates.flatMap(({ result }) => result?.ignored ?? []),
    );
  }

  private count(key: string, by: number): void {
    const count = (this.definers.get(key) ?? 0) + by;
    if (count > 0) this.definers.set(key, count);
    else this.definers.delete(key);
  }

  /**
   * The files among `named` that are read (known ones, deleted or not, and new manifests in a
   * listed folder); undefined when one is a folder, a link, outside the listed folders, or
   * cannot be looked at.
   */
  private namedFiles(named: ReadonlySet<string>): string[] | undefined {
    const folders = this.listedFolders;
    if (!folders) return undefined;
    const files: string[] = [];
    for (const name of named) {
      // The folder itself was replaced: its watch is on the old one, and what the new one holds
      // is unknown. The full scan lists it and watches it anew.
      const folder = path.dirname(name);
      if (this.watchers.has(folder) && inodeOf(folder) !== this.watchedInodes.get(folder)) return undefined;
      const kind = entryKind(name);
      // A folder or a link: what it holds or points to may have changed with it.
      if (kind === 'other') return undefined;
      if (this.cache.has(name)) files.push(name);
      else if (kind === 'file' && !path.basename(name).startsWith('.') && isManifestName(name)) {
        if (!folders.has(folder)) return undefined;
        files.push(name);
      } // else: gone and never read, or a file that is not read (a temporary or swap file)
    }
    return files;
  }

  /**
   * What the named files now hold, those that changed: the cache entry before and after, and
   * what the file gives now (a file that stops parsing keeps its last good objects, with the new
   * problems). Undefined when any object they define, before or after, is also defined in
   * another file, or twice: which definition wins then depends on the listing order.
   */
  private readNamed(files: readonly string[]): NamedUpdate[] | undefined {
    const updates: NamedUpdate[] = [];
    const claimed = new Set<string>();
    for (const file of files) {
      const signature = signatureOf(file);
      const before = this.cache.get(file);
      if (before?.signature === signature || this.changedInPlaceTooSoon(file, signature, before)) continue;
      const update = signature === 'missing' ? { file, before } : this.reread(file, signature, before);
      if (this.definedElsewhere(update, claimed)) return undefined;
      updates.push(update);
    }
    return updates;
  }

  /**
   * Whether a known file changed in place (same inode) should be read later rather than now. A
   * writer replacing a file in place truncates it first, then writes, possibly in pieces over
   * time (`kubectl get -o yaml > file`): read in between, the file would take every object it
   * does not hold yet out of what serves, for a moment. So it is read once it has not changed
   * for QUIET_MS, or MAX_SETTLE_MS after its first change if it never rests; until then it keeps
   * its objects. A file replaced by rename is a new inode, and is read at once.
   */
  private changedInPlaceTooSoon(file: string, signature: string, before: CachedFile | undefined): boolean {
    const [inode] = signature.split(':');
    if (!before || signature === 'missing' || !before.signature.startsWith(`${inode}:`)) {
      this.settling.delete(file);
      return false;
    }
    const now = performance.now();
    const seen = this.settling.get(file);
    const first = seen?.first ?? now;
    const since = seen?.signature === signature ? seen.since : now;
    const quiet = this.options.quietMs ?? QUIET_MS;
    if (now - since >= quiet || now - first >= MAX_SETTLE_MS) {
      this.settling.delete(file);
      return false;
    }
    this.settling.set(file, { signature, since, first });
    this.pending.named.add(file);
    // Its own timer: the debounce's would hold up events that arrive meanwhile.
    clearTimeout(this.recheck);
    const due = Math.min(since + quiet, first + MAX_SETTLE_MS);
    this.recheck = setTimeout(() => this.schedule(0), Math.max(1, Math.ceil(due - now)));
    return true;
  }

  private reread(file: string, signature: string, before: CachedFile | undefined): NamedUpdate {
    const fresh = parseManifestFileSync(file);
    const keep = fresh.unreadable && before !== undefined;
    return {
      file,
      before,
      after: { signature, parsed: keep ? before.parsed : fresh },
      result: keep ? { ...before.parsed, problems: fresh.problems } : fresh,
    };
  }

  /** Whether an object `update` defines, before or after, is defined by another file or twice. */
  private definedElsewhere({ before, after }: NamedUpdate, claimed: Set<string>): boolean {
    // How many times this file defined each object, which the counts include.
    const own = new Map<string, number>();
    for (const object of before?.parsed.objects ?? [])
      own.set(objectKey(object), (own.get(objectKey(object)) ?? 0) + 1);
    const keys = (after?.parsed.objects ?? []).map(objectKey);
    for (const key of keys) {
      if (claimed.has(key)) return true; // twice in this file, or in another named one
      claimed.add(key);
    }
    return [...own.keys(), ...keys].some((key) => (this.definers.get(key) ?? 0) - (own.get(key) ?? 0) > 0);
  }

  private takePending(): Pending {
    const taken = this.pending;
    this.pending = { everything: false, named: new Set() };
    return taken;
  }

  /**
   * Whether events named something that can change files without naming them: a folder (moved
   * or replaced whole), a link files are read through (a ConfigMap volume swaps its `..data`
   * link), or anything that cannot be looked at. Those scans stat every file. Names of manifest
   * files, of entries now gone, and of plain files not read (an editor's swap file, a temporary
   * file renamed into place) change nothing beyond themselves.
   */
  private namesMoreThanFiles(named: ReadonlySet<string>, listed: ReadonlySet<string>): boolean {
    for (const name of named) {
      if (listed.has(name) || this.cache.has(name)) continue;
      if (entryKind(name) === 'other') return true;
    }
    return false;
  }

  /**
   * Every listed file's parsed content. Files not seen before and those `toStat` asks for get a
   * stat; the others keep their cached parse without touching the disk.
   */
  private async readFiles(
    files: readonly string[],
    toStat: (file: string) => boolean,
  ): Promise<{ file: string; result: ParsedFile }[]> {
    const stale = files.filter((file) => toStat(file) || !this.cache.has(file));
    const signatures = await signaturesOf(stale);
    const parsed = [];
    for (const file of files) {
      const cached = this.cache.get(file);
      const signature = signatures.get(file);
      const result = cached && signature === undefined ? cached.parsed : await this.parsed(file, signature);
      parsed.push({ file, result });
    }
    return parsed;
  }

  /**
   * The file's parsed content, re-read only when it changed on disk. A file that cannot be
   * parsed at all keeps its last good content, as an API server keeps the last accepted object
   * when an update is rejected; the problem is still reported.
   */
  private async parsed(file: string, known?: string): Promise<ParsedFile> {
    const signature = known ?? signatureOf(file);
    const cached = this.cache.get(file);
    if (cached?.signature === signature || this.changedInPlaceTooSoon(file, signature, cached))
      return cached!.parsed;
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
  private updateWatches(folders: readonly string[], files: ReadonlySet<string>): void {
    const read = new Set(folders);
    const wanted = new Set(folders);
    for (const p of this.options.paths) {
      const resolved = path.resolve(p);
      if (files.has(resolved) || !read.has(resolved)) wanted.add(path.dirname(resolved));
    }
    for (const [folder, watcher] of this.watchers) {
      if (wanted.has(folder) && inodeOf(folder) === this.watchedInodes.get(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
      this.watchedInodes.delete(folder);
    }
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      this.watchedInodes.set(folder, inodeOf(folder));
      try {
        const watcher = watch(folder, { persistent: false }, (_event, filename) =>
          this.noteEvent(folder, filename),
        );
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(folder);
          this.watchedInodes.delete(folder);
          this.scheduleFull();
        });
        this.watchers.set(folder, watcher);
      } catch {
        // The folder vanished between listing and watching; the next scan sees it gone.
      }
    }
  }
}
