/**
 * The watching files source against real files in a temporary folder: what reaches the store
 * after the ways files actually change (rename into place, in-place write, delete, new folder,
 * a ConfigMap-style symbolic link swap) and after a change no event reports.
 *
 * Tests not about the poll give it an hour, so that only events can explain what they see.
 */
import { expect } from 'chai';
import { mkdir, mkdtemp, open, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileSource, type FileSourceOptions } from '../../../operator/sources/fileSource.js';
import { loadFiles, type FileProblem } from '../../../operator/sources/files.js';
import { Store } from '../../../operator/store/index.js';

const NO_POLL_MS = 3_600_000;

const route = (name: string, host: string): string =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: ${name}, namespace: default }\nspec: { hostnames: ["${host}"] }\n`;

const routeFile = (i: number): string => `route-${String(i).padStart(5, '0')}.yaml`;

/** A store that remembers every batch the source applied, by object name. */
class RecordingStore extends Store {
  readonly batches: { upserts: string[]; deletions: string[] }[] = [];

  override apply(...[upserts, deletions = []]: Parameters<Store['apply']>): ReturnType<Store['apply']> {
    this.batches.push({
      upserts: upserts.map((o) => o.metadata.name),
      deletions: deletions.map((d) => d.name),
    });
    return super.apply(upserts, deletions);
  }
}

interface Fixture {
  readonly root: string;
  readonly dir: string;
  readonly store: RecordingStore;
  readonly problems: FileProblem[];
  /** Write `content` beside the watched folder, then rename it into place, as tools do. */
  put(file: string, content: string): Promise<void>;
  start(options?: Partial<FileSourceOptions>): Promise<FileSource>;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('files source: watching', function () {
  this.timeout(30_000);
  let fixture: Fixture;
  let source: FileSource | undefined;

  beforeEach(async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'gp-filesource-'));
    const dir = path.join(root, 'manifests');
    const staging = path.join(root, 'staging');
    await mkdir(dir);
    await mkdir(staging);
    const store = new RecordingStore({ metadata: 'track' });
    const problems: FileProblem[] = [];
    let staged = 0;
    fixture = {
      root,
      dir,
      store,
      problems,
      put: async (file, content) => {
        const temp = path.join(staging, `${(staged += 1)}.tmp`);
        await writeFile(temp, content);
        await rename(temp, path.join(dir, file));
      },
      start: async (options = {}) => {
        source = new FileSource({
          paths: [dir],
          store,
          watch: true,
          onProblems: (fresh) => problems.push(...fresh),
          onIgnoredKind: () => undefined,
          pollIntervalMs: NO_POLL_MS,
          ...options,
        });
        await source.start();
        return source;
      },
    };
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await rm(fixture.root, { recursive: true, force: true });
  });

  const hostOf = (name: string): string | undefined => {
    const spec = fixture.store.get('HTTPRoute', 'default', name)?.spec as
      { hostnames?: string[] } | undefined;
    return spec?.hostnames?.[0];
  };

  it('keeps watching after a scan fails, reports it, and reads everything again next time', async () => {
    await fixture.put('a.yaml', route('a', 'one.example'));
    const errors: unknown[] = [];
    await fixture.start({ onScanError: (error) => errors.push(error) });
    // The store's listener throws once, as a bug downstream would.
    let fail = true;
    fixture.store.onChange(() => {
      if (!fail) return;
      fail = false;
      throw new Error('listener failed');
    });
    await fixture.put('a.yaml', route('a', 'two.example'));
    await eventually(() => errors.length === 1, 'the failure reported');
    await fixture.put('b.yaml', route('b', 'three.example'));
    await eventually(() => hostOf('b') === 'three.example', 'the next change read');
    expect(hostOf('a')).to.equal('two.example');
    expect(String(errors[0])).to.contain('listener failed');
  });

  it('picks up one file renamed in among hundreds, and only its object reaches the store', async () => {
    for (let i = 1; i <= 300; i += 1)
      await writeFile(path.join(fixture.dir, routeFile(i)), route(`r${i}`, `r${i}.example`));
    await fixture.start();
    expect(fixture.store.keys()).to.have.length(300);
    const before = fixture.store.batches.length;

    await fixture.put(routeFile(301), route('r301', 'r301.example'));
    await eventually(() => hostOf('r301') === 'r301.example', 'the new route');
    await sleep(50); // room for any stray batch
    // A file read again yields new objects, which the source hands to the store as changed:
    // one object here means no other file was read again.
    expect(fixture.store.batches.slice(before)).to.deep.equal([{ upserts: ['r301'], deletions: [] }]);
  });

  it('ends as a fresh load of the files would, whatever order objects defined twice come and go in', async () => {
    // Three files, each holding some of two routes, written and deleted in a fixed pseudo-random
    // order: a route in two files comes from the first by name, and named-file scans must agree.
    let seed = 20261202;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 65536) % n; // the high bits: an LCG's low bits repeat quickly
    };
    const state = (): Map<string, string | undefined> =>
      new Map(['x', 'y'].map((name) => [name, hostOf(name)]));
    await fixture.put('a.yaml', route('x', 'a.example'));
    await fixture.start();
    for (let step = 0; step < 30; step += 1) {
      const file = ['a.yaml', 'b.yaml', 'c.yaml'][next(3)]!;
      const documents = ['x', 'y']
        .filter(() => next(2) === 1)
        .map((name) => route(name, `${name}${step}.example`));
      if (documents.length === 0) await rm(path.join(fixture.dir, file), { force: true });
      else await fixture.put(file, documents.join('---\n'));
      const fresh = await loadFiles([fixture.dir]);
      const expected = new Map(
        ['x', 'y'].map((name) => {
          const object = fresh.objects.find((o) => o.metadata.name === name);
          return [name, (object?.spec as { hostnames?: string[] } | undefined)?.hostnames?.[0]];
        }),
      );
      await eventually(
        () => JSON.stringify([...state()]) === JSON.stringify([...expected]),
        `step ${step}: ${JSON.stringify([...expected])}, have ${JSON.stringify([...state()])}`,
      );
    }
  });

  it('keeps the objects of a file written in place while it is empty between truncation and write', async () => {
    const file = path.join(fixture.dir, 'a.yaml');
    await fixture.put('a.yaml', route('a', 'one.example'));
    await fixture.start();
    const handle = await open(file, 'w'); // truncates: the file is empty, and an event says so
    await sleep(30); // scans run meanwhile
    await handle.write(route('a', 'two.example'));
    await handle.close();
    await eventually(() => hostOf('a') === 'two.example', 'the new content');
    expect(fixture.store.batches.filter((batch) => batch.deletions.includes('a'))).to.deep.equal([]);
  });

  it('reads a file streamed in place only once the writer paused, never half of it', async () => {
    const file = path.join(fixture.dir, 'ab.yaml');
    await fixture.put('ab.yaml', `${route('a', 'one.example')}---\n${route('b', 'one.example')}`);
    // Pieces 20 ms apart; the writer rests 300 ms only at the end, so a loaded machine's stall
    // between two pieces does not look like the end of the write.
    await fixture.start({ quietMs: 300 });
    const before = fixture.store.batches.length;
    // As `kubectl get -o yaml > file` writes: truncate, then pieces as they arrive.
    const next = `${route('a', 'two.example')}---\n${route('b', 'two.example')}`;
    const handle = await open(file, 'w');
    for (const piece of [next.slice(0, 60), next.slice(60, 150), next.slice(150)]) {
      await handle.write(piece);
      await sleep(20);
    }
    await handle.close();
    await eventually(() => hostOf('a') === 'two.example' && hostOf('b') === 'two.example', 'both');
    // One batch, with both objects: nothing read from a piece of the file.
    expect(fixture.store.batches.slice(before)).to.deep.equal([{ upserts: ['a', 'b'], deletions: [] }]);
  });

  it('reads a file that keeps changing in place at most a second after its first change', async () => {
    const file = path.join(fixture.dir, 'a.yaml');
    await fixture.put('a.yaml', route('a', 'one.example'));
    await fixture.start({ quietMs: 300 });
    const started = Date.now();
    let seen: number | undefined;
    for (let i = 0; i < 200 && seen === undefined; i += 1) {
      await writeFile(file, route('a', `edit-${i}.example`));
      if (hostOf('a') !== 'one.example') seen = Date.now() - started;
      await sleep(10);
    }
    expect(seen, 'read while the writes go on').to.be.a('number');
    expect(seen).to.be.below(1800);
  });

  it('deletes the objects of a file emptied in place once it stays empty', async () => {
    const file = path.join(fixture.dir, 'a.yaml');
    await fixture.put('a.yaml', route('a', 'one.example'));
    await fixture.start();
    await writeFile(file, '');
    await eventually(() => hostOf('a') === undefined, 'the deletion');
  });

  it('sees an in-place edit that keeps the size (times and change time differ)', async () => {
    const file = path.join(fixture.dir, 'a.yaml');
    await writeFile(file, route('a', 'one.example'));
    await fixture.start();
    const before = await stat(file);
    await sleep(20); // past the file system's timestamp granularity
    const handle = await open(file, 'r+');
    await handle.write(route('a', 'two.example'), 0);
    await handle.close();
    expect((await stat(file)).size).to.equal(before.size);
    await eventually(() => hostOf('a') === 'two.example', 'the edit');
  });

  it('replaces a file renamed over another, and removes a deleted one', async () => {
    await fixture.put('a.yaml', route('a', 'one.example'));
    await fixture.put('b.yaml', route('b', 'b.example'));
    await fixture.start();
    await fixture.put('a.yaml', route('a', 'two.example'));
    await eventually(() => hostOf('a') === 'two.example', 'the replacement');
    await unlink(path.join(fixture.dir, 'b.yaml'));
    await eventually(() => hostOf('b') === undefined, 'the deletion');
    expect(hostOf('a')).to.equal('two.example');
  });

  it('keeps the last good content of a file that stops parsing, and reports it each time it breaks', async () => {
    const file = path.join(fixture.dir, 'a.yaml');
    await fixture.put('a.yaml', route('a', 'one.example'));
    await fixture.start();
    await fixture.put('a.yaml', 'kind: [unclosed\n');
    await eventually(() => fixture.problems.length === 1, 'the problem');
    expect(fixture.problems[0]).to.include({ file, document: 0 });
    expect(hostOf('a')).to.equal('one.example');

    await fixture.put('a.yaml', route('a', 'two.example'));
    await eventually(() => hostOf('a') === 'two.example', 'the fix');
    await fixture.put('a.yaml', 'kind: [unclosed\n');
    await eventually(() => fixture.problems.length === 2, 'the problem again');
    expect(hostOf('a')).to.equal('two.example');
  });

  it('reads a folder renamed into place and watches it from then on', async () => {
    await fixture.start();
    const outside = path.join(fixture.root, 'staged-folder');
    await mkdir(outside);
    await writeFile(path.join(outside, 'a.yaml'), route('a', 'one.example'));
    await rename(outside, path.join(fixture.dir, 'team'));
    await eventually(() => hostOf('a') === 'one.example', 'the folder');
    await fixture.put('team/b.yaml', route('b', 'b.example'));
    await eventually(() => hostOf('b') === 'b.example', 'a file added to it');
  });

  it('follows the watched folder when it is replaced by another in one go', async () => {
    await fixture.put('a.yaml', route('a', 'one.example'));
    await fixture.start();
    const fresh = path.join(fixture.root, 'fresh');
    await mkdir(fresh);
    await writeFile(path.join(fresh, 'b.yaml'), route('b', 'b.example'));
    // No turn of the event loop in between: no scan can see the folder missing.
    rmSync(fixture.dir, { recursive: true });
    renameSync(fresh, fixture.dir);
    await eventually(() => hostOf('b') === 'b.example' && hostOf('a') === undefined, 'the new folder');
    await fixture.put('c.yaml', route('c', 'c.example'));
    await eventually(() => hostOf('c') === 'c.example', 'a file added to the new folder');
  });

  it('sees a ConfigMap-style swap of a `..data` link, which no event names a manifest for', async () => {
    // kubelet's layout: a.yaml -> ..data/a.yaml, ..data -> ..v1; an update writes ..v2 and
    // renames a new link over ..data. The only manifest that changes is behind a link.
    const version = async (name: string, host: string): Promise<void> => {
      await mkdir(path.join(fixture.dir, name));
      await writeFile(path.join(fixture.dir, name, 'a.yaml'), route('a', host));
      await symlink(name, path.join(fixture.dir, '..data_tmp'));
      await rename(path.join(fixture.dir, '..data_tmp'), path.join(fixture.dir, '..data'));
    };
    await version('..v1', 'one.example');
    await symlink('..data/a.yaml', path.join(fixture.dir, 'a.yaml'));
    await fixture.start();
    expect(hostOf('a')).to.equal('one.example');
    await version('..v2', 'two.example');
    await eventually(() => hostOf('a') === 'two.example', 'the swapped content');
  });

  it('loses no edit made while a scan runs', async () => {
    for (let i = 1; i <= 1000; i += 1)
      await writeFile(path.join(fixture.dir, routeFile(i)), route(`r${i}`, `r${i}.example`));
    // No debounce, and edits 1 ms apart: most land while a scan of 1,000 files runs. Only
    // events tell which existing files changed, so a name dropped on the way would show.
    await fixture.start({ debounceMs: 0 });
    const edited = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    for (const n of edited) {
      await fixture.put(routeFile(n), route(`r${n}`, `edited-${n}.example`));
      await sleep(1);
    }
    await eventually(() => edited.every((n) => hostOf(`r${n}`) === `edited-${n}.example`), 'every edit');
  });

  describe('a change no event reports (a file behind a link to a folder not watched)', () => {
    let target: string;

    beforeEach(async () => {
      const elsewhere = path.join(fixture.root, 'elsewhere');
      await mkdir(elsewhere);
      target = path.join(elsewhere, 'a.yaml');
      await writeFile(target, route('a', 'one.example'));
      await symlink(target, path.join(fixture.dir, 'a.yaml'));
    });

    it('is not looked for by scans that events cause: they stat only the files events name', async () => {
      await fixture.start();
      await sleep(20);
      await writeFile(target, route('a', 'two.example'));
      await fixture.put('b.yaml', route('b', 'b.example'));
      await eventually(() => hostOf('b') === 'b.example', 'the file the event names');
      expect(hostOf('a')).to.equal('one.example');
    });

    it('is found by the poll', async () => {
      await fixture.start({ pollIntervalMs: 100 });
      await sleep(20);
      await writeFile(target, route('a', 'two.example'));
      await eventually(() => hostOf('a') === 'two.example', 'the poll');
    });
  });
});
