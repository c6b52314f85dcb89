// `npm run build` (and `npm ci`, through `prepare`): compile operator/, drivers/ and the bench to
// dist/ with tsc, copy the templates beside them, and stamp the result. bin/gateplane.js runs
// dist/ while the stamp is newer than every source (bin/freshness.js), else the sources.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
cpSync(path.join(root, 'templates'), path.join(dist, 'templates'), { recursive: true });
writeFileSync(path.join(dist, '.built'), `${new Date().toISOString()}\n`);
