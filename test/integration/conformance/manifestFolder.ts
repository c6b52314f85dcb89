/**
 * The replay's "API server": objects live as files in the folder `gateplane standalone --watch`
 * serves, one object per file, so creating, patching and deleting an object is writing, rewriting
 * and removing its file. It also keeps what the API server would know on its own: each object's
 * `metadata.generation` (1 on create, +1 whenever `spec` changes), which status conditions are
 * compared against. The status file alone cannot say that: it lags behind the files.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { keyOf, manifestKey, type Manifest } from './manifests.js';

interface Stored {
  readonly manifest: Manifest;
  readonly generation: number;
  readonly file: string;
}

export class ManifestFolder {
  private readonly objects = new Map<string, Stored>();
  private tempCounter = 0;

  constructor(readonly root: string) {}

  /** Create or update each object (the upstream Applier's create-or-update). */
  async apply(manifests: readonly Manifest[]): Promise<void> {
    for (const manifest of manifests) {
      const key = manifestKey(manifest);
      const previous = this.objects.get(key);
      const generation = !previous
        ? 1
        : previous.generation + (isDeepStrictEqual(previous.manifest['spec'], manifest['spec']) ? 0 : 1);
      const file = previous?.file ?? this.fileFor(manifest);
      this.objects.set(key, { manifest, generation, file });
      await this.writeAtomically(file, stringify(manifest));
    }
  }

  async delete(manifests: readonly Manifest[]): Promise<void> {
    for (const manifest of manifests) {
      const key = manifestKey(manifest);
      const stored = this.objects.get(key);
      if (!stored) continue;
      this.objects.delete(key);
      await rm(stored.file, { force: true });
    }
  }

  generation(kind: string, namespace: string | undefined, name: string): number | undefined {
    return this.objects.get(keyOf(kind, namespace, name))?.generation;
  }

  get(kind: string, namespace: string | undefined, name: string): Manifest | undefined {
    return this.objects.get(keyOf(kind, namespace, name))?.manifest;
  }

  list(kind: string): Manifest[] {
    return [...this.objects.values()].map((s) => s.manifest).filter((m) => m.kind === kind);
  }

  private fileFor(manifest: Manifest): string {
    const folder = manifest.metadata.namespace ?? 'cluster';
    return path.join(this.root, folder, `${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml`);
  }

  /**
   * Temp file + rename, as tools write: the watcher never reads half a file. The temp name starts
   * with a dot and does not end in .yaml, so the files source never loads it.
   */
  private async writeAtomically(file: string, text: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.${this.tempCounter++}.tmp`,
    );
    await writeFile(temp, text);
    await rename(temp, file);
  }
}
