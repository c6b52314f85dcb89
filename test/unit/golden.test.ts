/**
 * Golden files (STYLE §4): each folder in test/unit/golden/ holds an `input.yaml`, and the
 * expected `status.yaml` (resolver status, before timestamps), `model.yaml`, `nginx.conf` and
 * `haproxy.cfg`. `UPDATE_GOLDEN=1 npm test` rewrites them; review the diff like code.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { DRIVERS, DRIVER_NAMES } from '../../drivers/index.js';
import { AddressPool } from '../../operator/standalone/addresses.js';
import { resolveYaml } from '../support/resolveFixture.js';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const FILE_OF = { nginx: 'nginx.conf', haproxy: 'haproxy.cfg' } as const;

function outputs(input: string): Record<string, string> {
  const resolution = resolveYaml(input);
  const pool = new AddressPool('127.0.1.0/24');
  const out: Record<string, string> = {
    'status.yaml': stringify(resolution.statuses),
    // Certificates are shown by id only: private keys do not belong in golden files.
    'model.yaml': stringify(
      resolution.gateways.map((g) =>
        g.model
          ? { ...g.model, certificates: g.model.certificates.map((c) => ({ id: c.id, pem: '(redacted)' })) }
          : { gateway: g.gateway, model: 'not accepted' },
      ),
    ),
  };
  for (const driver of DRIVER_NAMES) {
    out[FILE_OF[driver]] = resolution.gateways
      .flatMap(({ gateway, model, requestedAddresses }) => {
        const assigned = pool.assign(`${driver}/${gateway.namespace}/${gateway.name}`, requestedAddresses);
        if (!model || 'problem' in assigned) return [];
        const runtimeDir = `/run/gateplane/${gateway.namespace}_${gateway.name}`;
        const config = DRIVERS[driver].render(
          { ...model, driver },
          { bindAddress: assigned.address, runtimeDir },
        );
        // The main file and HAProxy's route maps, each under its name; certificates are left
        // out, since their keys do not belong in golden files.
        const main = config.files.filter((f) => f.path === config.main).map((f) => f.content);
        const maps = config.files
          .filter((f) => f.path.startsWith('maps/'))
          .map((f) => `# ---- ${f.path}\n${f.content}`);
        return [...main, ...maps];
      })
      .join('\n');
  }
  return out;
}

describe('golden files', () => {
  for (const scenario of readdirSync(GOLDEN).sort()) {
    describe(scenario, () => {
      const dir = path.join(GOLDEN, scenario);
      let actual: Record<string, string>;
      before(async () => {
        const input = await readFile(path.join(dir, 'input.yaml'), 'utf8');
        actual = outputs(input);
        expect(outputs(input), 'rendering twice gives the same bytes').to.deep.equal(actual);
        if (UPDATE)
          for (const [name, content] of Object.entries(actual))
            await writeFile(path.join(dir, name), content);
      });
      for (const name of ['status.yaml', 'model.yaml', 'nginx.conf', 'haproxy.cfg']) {
        it(`renders ${name} as reviewed`, async () => {
          const expected = await readFile(path.join(dir, name), 'utf8').catch(
            () => '(missing: run UPDATE_GOLDEN=1 npm test)',
          );
          expect(actual[name]).to.equal(expected);
        });
      }
    });
  }
});
