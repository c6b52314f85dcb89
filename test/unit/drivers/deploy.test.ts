import { expect } from 'chai';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { commitFiles, pruneFiles, stageFiles } from '../../../drivers/deploy.js';
import type { RenderedConfig } from '../../../drivers/driver.js';
import { tempDir } from '../../support/standalone.js';

const config = (main: string, certs: string[]): RenderedConfig => ({
  driver: 'nginx',
  main: 'nginx.conf',
  hash: 'h',
  files: [
    { path: 'nginx.conf', content: main },
    ...certs.map((c) => ({ path: `certs/${c}.pem`, content: c, mode: 0o600 })),
  ],
});

describe('deploy: staging, committing and pruning files', () => {
  it('stages the main file under its candidate name and leaves the served one alone until commit', async () => {
    const dir = await tempDir('deploy');
    await writeFile(path.join(dir, 'nginx.conf'), 'old');
    stageFiles(config('new', ['a']), dir);
    expect(await readFile(path.join(dir, 'nginx.conf'), 'utf8')).to.equal('old');
    expect(await readFile(path.join(dir, 'nginx.conf.next'), 'utf8')).to.equal('new');
    commitFiles(config('new', ['a']), dir);
    expect(await readFile(path.join(dir, 'nginx.conf'), 'utf8')).to.equal('new');
  });

  it('writes keys with mode 0600 into a folder only their owner can enter', async () => {
    const dir = await tempDir('deploy');
    stageFiles(config('x', ['a']), dir);
    expect((await stat(path.join(dir, 'certs'))).mode & 0o777).to.equal(0o700);
    expect((await stat(path.join(dir, 'certs/a.pem'))).mode & 0o777).to.equal(0o600);
  });

  it('prunes certificates the serving configuration no longer lists, and keeps the others', async () => {
    const dir = await tempDir('deploy');
    await mkdir(path.join(dir, 'certs'));
    stageFiles(config('x', ['a', 'b']), dir);
    await pruneFiles(config('x', ['b']), dir);
    expect(await readdir(path.join(dir, 'certs'))).to.deep.equal(['b.pem']);
  });

  it('writes a content-named file only when it is missing or not whole, and always the main file', async () => {
    const dir = await tempDir('deploy');
    stageFiles(config('x', ['aa', 'bb']), dir);
    const kept = await stat(path.join(dir, 'certs/aa.pem'));
    // A file cut short under its content name (by hand, or a full disk before temp files).
    await writeFile(path.join(dir, 'certs/bb.pem'), 'b');
    stageFiles(config('y', ['aa', 'bb']), dir);
    expect((await stat(path.join(dir, 'certs/aa.pem'))).ino, 'left in place').to.equal(kept.ino);
    expect(await readFile(path.join(dir, 'certs/bb.pem'), 'utf8')).to.equal('bb');
    expect(await readFile(path.join(dir, 'nginx.conf.next'), 'utf8')).to.equal('y');
  });

  it('prunes route maps as it prunes certificates', async () => {
    const dir = await tempDir('deploy');
    const withMap = (name: string): RenderedConfig => ({
      ...config('x', []),
      files: [
        { path: 'nginx.conf', content: 'x' },
        { path: `maps/${name}.map`, content: name },
      ],
    });
    stageFiles(withMap('one'), dir);
    stageFiles(withMap('two'), dir);
    await pruneFiles(withMap('two'), dir);
    expect(await readdir(path.join(dir, 'maps'))).to.deep.equal(['two.map']);
  });
});
