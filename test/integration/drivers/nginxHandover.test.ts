/**
 * The handover (drivers/nginx/handover.ts) against real nginx: while a reload retires the old
 * workers, the requests no rule of theirs matches are answered by the new configuration.
 */
import { lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { commitFiles, stageFiles } from '../../../drivers/deploy.js';
import type { ProxyProcess, RenderTarget } from '../../../drivers/driver.js';
import { generationOf, handoverDir } from '../../../drivers/nginx/handover.js';
import { nginxDriver } from '../../../drivers/nginx/index.js';
import type { GatewayModel } from '../../../operator/model/types.js';
import { request } from '../../unit/drivers/nginx/echo.js';
import { exact, fixed, gatewayModel, host, port, prefix, rule } from '../../unit/drivers/nginx/fixtures.js';

const ADDRESS = '127.0.41.1';
const PORT = 18086;
const RELOADS = 4;

/** Version `n`: `app.example.com` with paths `/v1` … `/vn`, and hosts `new1` … `newn`. */
function model(n: number): GatewayModel {
  const versions = Array.from({ length: n }, (_, i) => i + 1);
  const app = host(
    'app.example.com',
    versions.map((v) => rule('app', v, exact(`/v${v}`), fixed(200 + v))),
  );
  const added = versions.map((v) =>
    host(`new${v}.example.com`, [rule(`new${v}`, 0, prefix('/'), fixed(200 + v))]),
  );
  // Two workers, so that an old and a new one can race for every connection during a reload.
  return { ...gatewayModel([port(PORT, [app, ...added])]), settings: { drainTimeoutSeconds: 5, workers: 2 } };
}

const get = (target: string, hostHeader: string) =>
  request({ address: ADDRESS, port: PORT, path: target, host: hostHeader });

/** The status line's code of the answer to `text`, sent as is on a new connection. */
function rawStatus(text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(PORT, ADDRESS, () => socket.end(text));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.\d (\d{3})/.exec(reply)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

/** Requests `target` on a new connection each time, back to back, until `stop()`; the statuses. */
function probe(target: string, hostHeader: string): { stop(): Promise<number[]> } {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) statuses.push((await get(target, hostHeader)).status);
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}

describe('nginx handover during a reload', function () {
  this.timeout(60_000);
  let runtimeDir: string;
  let target: RenderTarget;
  let proxy: ProxyProcess | undefined;
  let hash: string;

  async function deploy(version: number): Promise<string> {
    const config = nginxDriver.render(model(version), target);
    stageFiles(config, runtimeDir);
    expect(await nginxDriver.validate(config, runtimeDir)).to.deep.equal({ ok: true });
    commitFiles(config, runtimeDir);
    return config.hash;
  }

  before(async () => {
    runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-handover-'));
    target = { bindAddress: ADDRESS, runtimeDir };
    hash = await deploy(1);
    proxy = await nginxDriver.start(nginxDriver.render(model(1), target), runtimeDir);
  });

  after(async () => {
    await proxy?.stop(2000);
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  it('serves a route a reload adds, new host or new path, from its first answer on', async () => {
    for (let version = 2; version <= 1 + RELOADS; version++) {
      const probes = [probe('/', `new${version}.example.com`), probe(`/v${version}`, 'app.example.com')];
      hash = await deploy(version);
      await proxy!.reload(hash);
      expect(await proxy!.confirm(hash, 10_000)).to.equal(true);
      // Past the old workers' last accept, with room to spare.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const statuses of await Promise.all(probes.map((p) => p.stop()))) {
        const first = statuses.indexOf(200 + version);
        // Before the reload: 404 from this configuration (no handover is pending).
        expect(new Set(statuses.slice(0, first)), `version ${version}`).to.deep.equal(new Set([404]));
        expect(first, `version ${version}`).to.be.greaterThan(0);
        expect(new Set(statuses.slice(first)), `version ${version}`).to.deep.equal(new Set([200 + version]));
      }
    }
  });

  it('reloads over a socket file a failed reload of the same configuration left behind', async () => {
    const version = 2 + RELOADS;
    const next = nginxDriver.render(model(version), target);
    const folder = path.join(handoverDir(runtimeDir), generationOf(next.hash));
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, `${PORT}.sock`), '');
    hash = await deploy(version);
    await proxy!.reload(hash);
    expect(await proxy!.confirm(hash, 10_000)).to.equal(true);
    expect((await get('/', `new${version}.example.com`)).status).to.equal(200 + version);
  });

  it('keeps only the generation serving once the reload is complete', async () => {
    expect(await lstat(handoverDir(runtimeDir)).then((s) => s.mode & 0o777)).to.equal(0o711);
    expect(await readdir(handoverDir(runtimeDir))).to.deep.equal([generationOf(hash)]);
    expect(await readdir(path.join(handoverDir(runtimeDir), generationOf(hash)))).to.deep.equal([
      '18086.sock',
    ]);
  });

  it('answers an unmatched request 404 at once outside a reload, logging nothing', async () => {
    const before = proxy!.stderrTail();
    for (const [target, name] of [
      ['/', 'unknown.example.com'],
      ['/nothing-here', 'app.example.com'],
    ] as const) {
      const reply = await get(target, name);
      expect([reply.status, reply.body]).to.deep.equal([404, '']);
    }
    expect(proxy!.stderrTail().slice(before.length)).to.equal('');
  });

  it('answers a handed-over request itself: a link left to the serving generation makes no loop', async () => {
    const next = path.join(handoverDir(runtimeDir), 'next');
    await symlink(generationOf(hash), next);
    try {
      const reply = await get('/', 'unknown.example.com');
      expect([reply.status, reply.body]).to.deep.equal([404, '']);
      expect((await get('/v2', 'app.example.com')).status).to.equal(202);
      // Without a Host header (HTTP/1.0) nothing is handed over: the hop would need one.
      expect(await rawStatus('GET /nothing HTTP/1.0\r\n\r\n')).to.equal(404);
    } finally {
      await rm(next, { force: true });
    }
  });
});
