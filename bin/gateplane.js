#!/usr/bin/env node
// Entry point. Runs the JavaScript compiled to dist/ when it is up to date (bin/freshness.js),
// else the TypeScript sources through tsx: an edited checkout runs what its files say, without
// a build step in between. dist/ is what an install and the image run: tsx's loader costs about
// 40 MiB and a slower start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { distIsFresh, ROOT } from './freshness.js';

const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const argv = process.argv.slice(2);
if (distIsFresh()) {
  // A variable, not a literal: dist/ is not in the repository (.gitignore), only built.
  const compiled = new URL('../dist/operator/main.js', import.meta.url).href;
  const { main } = await import(compiled);
  await main(argv, { version: `${version} (compiled)` });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../operator/main.ts');
  await main(argv, { version: `${version} (sources)` });
}
