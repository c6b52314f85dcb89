/**
 * The Dockerfile cannot be built here (no Docker daemon), so what can go wrong without building
 * is checked statically: the stages and the runtime user, that every COPY source exists and
 * passes .dockerignore, and that every module the command line loads is copied into the image
 * and needs only production dependencies (the image runs `npm ci --omit=dev`).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './chartRender.js';

interface Instruction {
  readonly op: string;
  readonly args: string;
}

async function instructions(): Promise<Instruction[]> {
  const text = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Docker's rule: the last pattern matching the path or one of its parent folders decides. */
function includedByDockerignore(patterns: readonly string[], file: string): boolean {
  let included = true;
  const parts = file.split('/');
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = path.posix.normalize(negated ? raw.slice(1) : raw).replace(/\/$/, '');
    const regex = new RegExp(
      `^${pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}$`,
    );
    const hit = parts.some((_, i) => regex.test(parts.slice(0, i + 1).join('/')));
    if (hit) included = negated;
  }
  return included;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'|import\('([^']+)'\)/g;

/** The files bin/gateplane.js loads at run time, and the packages they import. */
async function runtimeClosure(): Promise<{ files: Set<string>; packages: Set<string> }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = ['bin/gateplane.js'];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const text = await readFile(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      if (m[1]) continue; // `import type` is erased: nothing loads at run time
      const specifier = (m[2] ?? m[3])!;
      if (specifier.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        pending.push(existsSync(path.join(ROOT, target)) ? target : target.replace(/\.js$/, '.ts'));
      } else if (!specifier.startsWith('node:')) {
        const [scope = '', name = ''] = specifier.split('/');
        packages.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
      }
    }
  }
  return { files, packages };
}

describe('the Dockerfile', () => {
  it('builds on node:20-bookworm-slim and runs on debian:bookworm-slim as uid 101', async () => {
    const steps = await instructions();
    const froms = steps.filter((s) => s.op === 'FROM').map((s) => s.args);
    expect(froms).to.deep.equal(['node:20-bookworm-slim AS build', 'debian:bookworm-slim']);
    const runtime = steps.slice(steps.findLastIndex((s) => s.op === 'FROM'));
    expect(runtime.filter((s) => s.op === 'USER').map((s) => s.args)).to.deep.equal(['101:101']);
    expect(runtime.find((s) => s.op === 'ENTRYPOINT')?.args).to.equal('["node", "/app/bin/gateplane.js"]');
    expect(
      runtime.some((s) => s.op === 'RUN' && /apt-get install .*\bnginx haproxy\b/.test(s.args)),
    ).to.equal(true);
    // The proxy pods' agent container runs `gateplane agent` (operator/provision/deployment.ts).
    expect(
      runtime.some(
        (s) => s.op === 'RUN' && s.args.includes('ln -s /app/bin/gateplane.js /usr/local/bin/gateplane'),
      ),
    ).to.equal(true);
  });

  it('copies only sources that exist and that .dockerignore lets through', async () => {
    const ignore = (await readFile(path.join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const copies = (await instructions()).filter((s) => s.op === 'COPY' && !s.args.startsWith('--from'));
    const sources = copies.flatMap((s) => s.args.split(/\s+/).slice(0, -1));
    expect(sources).to.not.be.empty;
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), source).to.equal(true);
      expect(includedByDockerignore(ignore, source.replace(/\/$/, '')), source).to.equal(true);
    }
    for (const left of ['node_modules', '.git', '.tools', 'test/unit', 'docs/cluster.md']) {
      expect(includedByDockerignore(ignore, left), left).to.equal(false);
    }
  });

  it('copies every module the command line loads, and those need only production dependencies', async () => {
    const copied = (await instructions())
      .filter((s) => s.op === 'COPY' && !s.args.startsWith('--from'))
      .flatMap((s) =>
        s.args
          .split(/\s+/)
          .slice(0, -1)
          .map((p) => p.replace(/\/$/, '')),
      );
    const { files, packages } = await runtimeClosure();
    expect(files.size).to.be.greaterThan(20);
    for (const file of files) {
      expect(
        copied.some((c) => file === c || file.startsWith(`${c}/`)),
        file,
      ).to.equal(true);
    }
    const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of packages) expect(Object.keys(manifest.dependencies), name).to.include(name);
  });
});
