import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { distIsFresh, ROOT } from '../../../bin/freshness.js';

describe('bin/gateplane.js: compiled or from sources', () => {
  let root: string;
  const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
  const touch = async (file: string, seconds: number): Promise<void> => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), '');
    await utimes(path.join(root, file), at(seconds), at(seconds));
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'gp-fresh-'));
    await touch('operator/main.ts', 10);
    await touch('drivers/nginx/render.ts', 10);
    await touch('templates/nginx/nginx.conf.hbs', 10);
    for (const folder of ['operator', 'drivers/nginx', 'drivers', 'templates/nginx', 'templates'])
      await utimes(path.join(root, folder), at(10), at(10));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs dist/ when it was built after every source', async () => {
    await touch('dist/.built', 20);
    expect(distIsFresh(root)).to.equal(true);
  });

  it('runs the sources when there is no build, or a source, a template or a folder changed since', async () => {
    expect(distIsFresh(root), 'no build').to.equal(false);
    await touch('dist/.built', 20);
    await touch('templates/nginx/nginx.conf.hbs', 30);
    expect(distIsFresh(root), 'a template edited').to.equal(false);
    await touch('templates/nginx/nginx.conf.hbs', 10);
    await utimes(path.join(root, 'drivers'), at(30), at(30)); // a file removed from it
    expect(distIsFresh(root), 'a file removed').to.equal(false);
  });

  it('says which it ran in --version', () => {
    const version = execFileSync(process.execPath, [path.join(ROOT, 'bin/gateplane.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(version.trim()).to.equal(`0.1.0 (${distIsFresh() ? 'compiled' : 'sources'})`);
  });
});
