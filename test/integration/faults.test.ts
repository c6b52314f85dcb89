import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readMasterPid } from '../../operator/standalone/proxyRuntime.js';
import { gatewayFolder } from '../../operator/standalone/stateDir.js';
import { startEcho, type EchoServer } from '../support/echo.js';
import { echoRoute, echoService, gateway, GATEWAY_CLASS } from '../support/manifests.js';
import { request, type Reply } from '../support/http.js';
import {
  condition,
  eventually,
  findStatus,
  proxyProcessesUnder,
  readStatus,
  startStandalone,
  tempDir,
  waitFor,
  type StandaloneRun,
} from '../support/standalone.js';

/**
 * Faults, with real processes (issue 7): what users see when a proxy dies, the state folder
 * cannot be written, gateplane is stopped under load, or a second gateplane wants the same state.
 */
const DRIVERS = [
  { driver: 'nginx', backend: '127.0.35.1', pool: '127.0.55.0/24', address: '127.0.55.1' },
  { driver: 'haproxy', backend: '127.0.36.1', pool: '127.0.56.0/24', address: '127.0.56.1' },
] as const;

const manifests = (backend: string, host: string): string =>
  [
    GATEWAY_CLASS,
    gateway('{ name: http, port: 8080, protocol: HTTP }'),
    echoService(backend),
    echoRoute('web', host),
  ].join('');

const programmed = async (run: StandaloneRun): Promise<string | undefined> => {
  const gateway = findStatus(await readStatus(run.statusFile), 'Gateway', 'gw');
  return condition(gateway?.status.conditions, 'Programmed')?.status;
};

for (const { driver, backend, pool, address } of DRIVERS) {
  describe(`faults on ${driver}`, function () {
    this.timeout(60_000);
    let dir: string;
    let run: StandaloneRun;
    let echo: EchoServer;
    const get = (host: string, p = '/'): Promise<Reply> => request({ address, port: 8080, host, path: p });
    const folder = (): string => gatewayFolder(run.stateDir, { namespace: 'default', name: 'gw' });

    before(async () => {
      dir = await tempDir(`faults-${driver}`);
      await writeFile(path.join(dir, 'all.yaml'), manifests(backend, 'one.example.com'));
      echo = await startEcho({ namespace: 'default', pod: 'echo-abc-1' }, backend, 3000);
      run = await startStandalone({ paths: [dir], driver, addressPool: pool, watch: true });
      await eventually('served', async () => {
        expect((await get('one.example.com')).status).to.equal(200);
      });
    });

    after(async () => {
      await run?.stop();
      await echo?.close();
    });

    it('restarts a proxy killed with SIGKILL, reports it, and serves again', async () => {
      // The pid file is written once the proxy confirmed it serves, which may be just after the
      // first answer: wait for it rather than race it.
      const pid = await waitFor('the proxy pid', () => readMasterPid(folder()));
      process.kill(pid, 'SIGKILL');
      const restarted = await waitFor('a new proxy', async () => {
        const next = await readMasterPid(folder());
        return next !== undefined && next !== pid ? next : undefined;
      });
      await eventually('served by the new proxy', async () => {
        expect((await get('one.example.com')).status).to.equal(200);
      });
      expect(await proxyProcessesUnder(run.stateDir)).to.include(restarted);
      expect(run.logs()).to.include('Proxy exited unexpectedly; restarting');
      await waitFor('Programmed=True again', async () =>
        (await programmed(run)) === 'True' ? true : undefined,
      );
    });

    it('keeps the old configuration serving while the new one cannot be written, says why, and retries', async () => {
      // Root ignores file permissions, so block the staging path with a folder instead.
      const blocker = path.join(folder(), driver === 'nginx' ? 'nginx.conf.next' : 'haproxy.cfg.next');
      await mkdir(path.join(blocker, 'in-the-way'), { recursive: true });
      await writeFile(path.join(dir, 'all.yaml'), manifests(backend, 'two.example.com'));
      await waitFor('Programmed=False with the reason', async () => {
        const gateway = findStatus(await readStatus(run.statusFile), 'Gateway', 'gw');
        const c = condition(gateway?.status.conditions, 'Programmed');
        return c?.status === 'False' && /applying the configuration failed/.test(c.message) ? c : undefined;
      });
      expect((await get('one.example.com')).status, 'the last good configuration still serves').to.equal(200);
      await rm(blocker, { recursive: true });
      await eventually('the new configuration once the path is free', async () => {
        expect((await get('two.example.com')).status).to.equal(200);
        expect((await get('one.example.com')).status).to.equal(404);
      });
      await waitFor('Programmed=True again', async () =>
        (await programmed(run)) === 'True' ? true : undefined,
      );
    });

    it('rebuilds a corrupted state folder from its inputs when the proxy has to start again', async () => {
      // Garbage where the configuration was, and the proxy gone: gateplane must not trust what is
      // on disk, but render, check and write everything again.
      const main = path.join(folder(), driver === 'nginx' ? 'nginx.conf' : 'haproxy.cfg');
      await writeFile(main, '}}} not a configuration {{{\n');
      // The pid file is written once the proxy confirmed it serves, which may be just after the
      // first answer: wait for it rather than race it.
      const pid = await waitFor('the proxy pid', () => readMasterPid(folder()));
      process.kill(pid, 'SIGKILL');
      await waitFor('a new proxy', async () => {
        const next = await readMasterPid(folder());
        return next !== undefined && next !== pid ? next : undefined;
      });
      await eventually('served again from a rebuilt configuration', async () => {
        expect((await get('two.example.com')).status).to.equal(200);
      });
      expect(await readFile(main, 'utf8')).to.not.include('not a configuration');
    });

    it('refuses a second gateplane on the same state folder, and leaves the first one alone', async () => {
      const second = spawn(
        process.execPath,
        ['bin/gateplane.js', 'standalone', '-f', dir, '--state-dir', run.stateDir, '--log-format', 'json'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      second.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
      expect(code).to.equal(1);
      expect(stderr).to.match(/another gateplane \(pid \d+\) is using the state folder/);
      expect((await get('two.example.com')).status).to.equal(200);
    });

    it('drains in-flight requests on SIGTERM, exits 0, and leaves no process behind', async () => {
      const slow = Array.from({ length: 5 }, () => get('two.example.com', '/slow?delay=700ms'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const exit = await run.stop();
      const replies = await Promise.all(slow);
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200]);
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(await proxyProcessesUnder(run.stateDir)).to.deep.equal([]);
    });
  });
}
