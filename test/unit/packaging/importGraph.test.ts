/**
 * What loads what at run time, read from the static `import` lines (type-only imports and dynamic
 * `import()` excluded): the pipeline's direction (drivers know the model, never the operator's
 * other layers), and that `gateplane standalone` does not load the Kubernetes client, which the
 * cluster commands load only when they run (~120 MiB of RSS otherwise: docs/benchmarks.md, S5).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every module reachable from `entry` through static runtime imports: files, and package names. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [path.join(ROOT, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier!.startsWith('.')) {
        packages.add(
          specifier!.startsWith('@')
            ? specifier!.split('/').slice(0, 2).join('/')
            : specifier!.split('/')[0]!,
        );
        continue;
      }
      pending.push(path.resolve(path.dirname(file), specifier!.replace(/\.js$/, '.ts')));
    }
  }
  return { files, packages };
}

const relative = (file: string): string => path.relative(ROOT, file);

describe('import graph', () => {
  it('keeps the Kubernetes client out of what the command line loads before a command runs', () => {
    const { packages } = reachable('operator/main.ts');
    expect(packages).to.include('commander');
    expect([...packages]).to.not.include('@kubernetes/client-node');
  });

  it('loads the Kubernetes client from the cluster commands themselves', () => {
    const source = readFileSync(path.join(ROOT, 'operator/cli/run.ts'), 'utf8');
    expect(source).to.include("await import('@kubernetes/client-node')");
  });

  for (const driver of ['drivers/nginx/index.ts', 'drivers/haproxy/index.ts']) {
    it(`lets ${driver} reach nothing of the operator but the model`, () => {
      const outside = [...reachable(driver).files]
        .map(relative)
        .filter((file) => file.startsWith('operator/') && !file.startsWith('operator/model/'));
      expect(outside).to.deep.equal([]);
    });
  }
});
