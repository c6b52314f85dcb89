import { expect } from 'chai';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from './chartRender.js';

describe('the hack/ scripts', () => {
  // hack/install-deps.sh installs shellcheck, so its absence is a failure, not a skip.
  it('pass shellcheck', async function () {
    this.timeout(60_000);
    const scripts = (await readdir(path.join(ROOT, 'hack'))).filter((f) => f.endsWith('.sh')).sort();
    expect(scripts).to.include.members(['helm.sh', 'k3d-up.sh', 'k3d-demo.sh', 'k3d-down.sh']);
    const run = await execa('shellcheck', ['--external-sources', ...scripts], {
      cwd: path.join(ROOT, 'hack'),
      reject: false,
      all: true,
    });
    expect(run.exitCode, run.all).to.equal(0);
  });

  it('are executable bash with set -euo pipefail', async () => {
    for (const script of ['helm.sh', 'k3d-up.sh', 'k3d-demo.sh', 'k3d-down.sh']) {
      const file = path.join(ROOT, 'hack', script);
      const text = await readFile(file, 'utf8');
      expect(text.startsWith('#!/usr/bin/env bash\n'), script).to.equal(true);
      expect(text, script).to.include('\nset -euo pipefail\n');
      expect((await stat(file)).mode & 0o111, script).to.not.equal(0);
    }
  });
});
