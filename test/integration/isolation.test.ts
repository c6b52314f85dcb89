import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startEcho, type EchoServer } from '../support/echo.js';
import { echoRoute, echoService, gateway, GATEWAY_CLASS } from '../support/manifests.js';
import { request } from '../support/http.js';
import {
  condition,
  eventually,
  findStatus,
  readStatus,
  startStandalone,
  tempDir,
  waitFor,
  type StandaloneRun,
} from '../support/standalone.js';

/**
 * A route whose configuration the proxy refuses must not take its neighbours down (DESIGN §1):
 * it is set aside with a condition saying why, and the rest of the Gateway is served.
 * `(?<=a+)b` compiles in JavaScript (so the resolver lets it through) but not in PCRE, which
 * both nginx and HAProxy use: a stand-in for any value only the proxy can judge.
 */
const DRIVERS = [
  { driver: 'nginx', backend: '127.0.33.1', pool: '127.0.53.0/24', address: '127.0.53.1' },
  { driver: 'haproxy', backend: '127.0.34.1', pool: '127.0.54.0/24', address: '127.0.54.1' },
] as const;

function manifests(backend: string): string {
  return [
    GATEWAY_CLASS,
    gateway('{ name: http, port: 8080, protocol: HTTP }'),
    echoService(backend),
    echoRoute('good', 'good.example.com'),
    echoRoute(
      'bad',
      'bad.example.com',
      '{ headers: [{ type: RegularExpression, name: x-test, value: "(?<=a+)b" }] }',
    ),
  ].join('');
}

for (const { driver, backend, pool, address } of DRIVERS) {
  describe(`route isolation on ${driver}`, function () {
    this.timeout(60_000);
    let run: StandaloneRun;
    let echo: EchoServer;

    before(async () => {
      const dir = await tempDir(`isolation-${driver}`);
      await writeFile(path.join(dir, 'all.yaml'), manifests(backend));
      echo = await startEcho({ namespace: 'default', pod: 'echo-abc-1' }, backend, 3000);
      run = await startStandalone({ paths: [dir], driver, addressPool: pool });
    });

    after(async () => {
      await run?.stop();
      await echo?.close();
    });

    it('serves the other routes and marks the refused one not Accepted, quoting the proxy', async () => {
      const parent = await waitFor('the bad route to be refused', async () => {
        const p = findStatus(await readStatus(run.statusFile), 'HTTPRoute', 'bad')?.status.parents?.[0];
        return condition(p?.conditions, 'Accepted')?.status === 'False' ? p : undefined;
      });
      expect(condition(parent.conditions, 'Accepted')).to.include({ reason: 'UnsupportedValue' });
      expect(condition(parent.conditions, 'Accepted')?.message).to.match(
        /^The data plane rejected this route's configuration: /,
      );
      await eventually('good.example.com is served', async () => {
        expect(
          (await request({ address, port: 8080, host: 'good.example.com', path: '/' })).echo?.pod,
        ).to.equal('echo-abc-1');
      });
      const items = await readStatus(run.statusFile);
      expect(condition(findStatus(items, 'Gateway', 'gw')?.status.conditions, 'Programmed')?.status).to.equal(
        'True',
      );
      const good = findStatus(items, 'HTTPRoute', 'good')?.status.parents?.[0];
      expect(condition(good?.conditions, 'Accepted')?.status).to.equal('True');
      expect((await request({ address, port: 8080, host: 'bad.example.com', path: '/' })).status).to.equal(
        404,
      );
    });
  });
}
