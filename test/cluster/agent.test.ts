/**
 * `gateplane agent` against the fake API server and a REAL nginx and HAProxy, each started as the
 * pod's proxy container starts it: the same cases for both drivers.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { DRIVERS } from '../../drivers/index.js';
import { masterCommand } from '../../drivers/haproxy/masterCli.js';
import { masterSocketPath } from '../../drivers/haproxy/process.js';
import { generationOf, handoverDir } from '../../drivers/nginx/handover.js';
import { nginxPidFile } from '../../operator/agent/proxyControl.js';
import type { DriverName } from '../../operator/model/types.js';
import { offeredCertificateCN, selfSignedCertificate } from '../support/tls.js';
import * as f from '../unit/drivers/haproxy/fixtures.js';
import { AgentScene, BROKEN_LINE, HTTP_PORT, HTTPS_PORT, model, SECURE_HOST } from './agentHarness.js';
import { eventually } from './support.js';

const REFUSED = 'Configuration refused; the previous one keeps serving';
const BUSY_PORT = HTTP_PORT + 10;

const DRIVER_ADDRESSES: readonly (readonly [DriverName, string])[] = [
  ['nginx', '127.0.47.1'],
  ['haproxy', '127.0.47.2'],
];

/** The proxy master's pid as the runtime directory tells it: nginx's pid file, HAProxy's master CLI. */
async function masterPid(scene: AgentScene): Promise<number | undefined> {
  if (scene.driver === 'nginx') return Number((await readFile(nginxPidFile(scene.dir), 'utf8')).trim());
  // The master answers its CLI a moment after its workers serve: ask until it does.
  let answer: string | undefined;
  await eventually(
    async () => (answer = await masterCommand(masterSocketPath(scene.dir), 'show proc')) !== undefined,
  );
  const pid = /^(\d+)\s+master\b/m.exec(answer ?? '')?.[1];
  return pid === undefined ? undefined : Number(pid);
}

for (const [driver, address] of DRIVER_ADDRESSES) {
  describe(`agent with a real ${driver}`, function () {
    this.timeout(60_000);
    let scene: AgentScene;

    beforeEach(async () => {
      scene = await AgentScene.open(driver, address);
    });

    afterEach(async () => {
      await scene.close();
    });

    async function appliedFirst(status: number): Promise<string> {
      const first = scene.render(status);
      scene.publish(first);
      await scene.startAgent();
      await eventually(() => scene.appliedAnnotation() === first.hash, 'the first annotation');
      return first.hash;
    }

    it('starts the waiting proxy on the first configuration and annotates the pod with its hash', async () => {
      const first = scene.render(201);
      await scene.startAgent();
      expect(await scene.probe('/healthz')).to.equal(200);
      expect(await scene.probe('/readyz')).to.equal(503);
      scene.publish(first);
      await eventually(() => scene.appliedAnnotation() === first.hash, 'the annotation');
      expect(await scene.status()).to.equal(201);
      expect(await scene.probe('/readyz')).to.equal(200);
      expect(scene.logged('Configuration applied')).to.have.length(1);
      expect(scene.logged('Configuration applied')[0]).to.include({ hash: first.hash, reloaded: false });
    });

    it('reloads the same master on a ConfigMap update and annotates the new hash', async () => {
      await appliedFirst(201);
      const pid = await masterPid(scene);
      expect(pid).to.equal(scene.proxy?.pid);
      const second = scene.render(202);
      scene.publish(second);
      await eventually(() => scene.appliedAnnotation() === second.hash, 'the new annotation');
      await scene.answers(202);
      expect(await masterPid(scene)).to.equal(pid);
      expect(scene.logged('Configuration applied').at(-1)).to.include({ hash: second.hash, reloaded: true });
      if (driver === 'nginx') {
        // nginx runs in its handover folder, which keeps only the generation serving once the
        // old workers are gone (drivers/nginx/handover.ts).
        expect(await readlink(`/proc/${pid}/cwd`)).to.equal(handoverDir(scene.dir));
        expect(await readdir(handoverDir(scene.dir))).to.deep.equal([generationOf(second.hash)]);
      }
    });

    it('keeps serving the old configuration when the checker refuses a new one, until the inputs change', async () => {
      const firstHash = await appliedFirst(201);
      const broken = scene.render(203);
      scene.publish(broken, {}, (data) => {
        data[broken.main] = `${data[broken.main] ?? ''}\n${BROKEN_LINE[driver]}\n`;
      });
      await eventually(() => scene.logged(REFUSED).length > 0);
      const [refusal] = scene.logged(REFUSED);
      expect(refusal).to.include({ hash: broken.hash, served: firstHash });
      expect(String(refusal?.reason)).to.include('bogus');
      expect(await scene.status()).to.equal(201);
      expect(scene.appliedAnnotation()).to.equal(firstHash);
      expect(await scene.probe('/readyz')).to.equal(200);

      // The same inputs again, after a re-list: nothing to retry.
      const lists = scene.api.requests.filter((r) => r.method === 'GET' && !r.query.watch).length;
      scene.api.dropWatches();
      await eventually(
        () => scene.api.requests.filter((r) => r.method === 'GET' && !r.query.watch).length >= lists + 2,
        'the re-lists',
      );
      const fixed = scene.render(204);
      scene.publish(fixed);
      await eventually(() => scene.appliedAnnotation() === fixed.hash, 'the fixed configuration');
      await scene.answers(204);
      expect(scene.logged(REFUSED)).to.have.length(1);
    });

    it('keeps the old configuration, and its main file, when the proxy fails to load a new one', async () => {
      const first = scene.render(201);
      scene.publish(first);
      // nginx gives no sign of a failed reload but still serving the old hash when the wait ends;
      // HAProxy's master counts failures, but answers only seconds after one.
      const confirmTimeoutMs = driver === 'nginx' ? 2000 : 30_000;
      const timing = { confirmTimeoutMs, retryBaseMs: 20, retryMaxMs: 200 };
      await scene.startAgent({ timing });
      await eventually(() => scene.appliedAnnotation() === first.hash);
      // The checker does not bind, so a port another process holds passes it and fails the reload.
      const busy = net.createServer();
      await new Promise<void>((resolve) => busy.listen(BUSY_PORT, address, resolve));
      try {
        const base = model(driver, 202);
        const rule = f.rule('web', 0, f.prefix('/'), f.fixed(202));
        const unloadable = DRIVERS[driver].render(
          { ...base, ports: [...base.ports, f.port(BUSY_PORT, f.vhost('*', rule))] },
          { bindAddress: address, runtimeDir: scene.dir },
        );
        scene.publish(unloadable);
        await eventually(() => scene.logged(REFUSED).length > 0, 'the refusal');
        expect(String(scene.logged(REFUSED)[0]?.reason)).to.include('kept its previous configuration');
        expect(await readFile(path.join(scene.dir, first.main), 'utf8')).to.equal(first.files[0]!.content);
        expect(await scene.status()).to.equal(201);
        expect(scene.appliedAnnotation()).to.equal(first.hash);
      } finally {
        await new Promise((resolve) => busy.close(resolve));
      }
      const next = scene.render(203);
      scene.publish(next);
      await eventually(() => scene.appliedAnnotation() === next.hash, 'the next configuration');
      await scene.answers(203);
    });

    it('writes the certificates of the Secret as 0600 files under certs/ and serves them', async () => {
      const pair = await selfSignedCertificate({ hosts: [SECURE_HOST], subject: '/CN=agent-secure' });
      const certificate = f.certificate(pair.certPem + pair.keyPem);
      const config = scene.render(201, certificate);
      // The ConfigMap first: the agent waits for the Secret rather than refusing.
      scene.publish(config, { only: 'configMap' });
      await scene.startAgent();
      await eventually(() => scene.logged('Waiting for the Secret to hold every certificate').length > 0);
      scene.publish(config, { only: 'secret' });
      await eventually(() => scene.appliedAnnotation() === config.hash, 'the annotation');
      const file = path.join(scene.dir, 'certs', `${certificate.id}.pem`);
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      expect(await offeredCertificateCN(address, HTTPS_PORT, SECURE_HOST)).to.equal('agent-secure');
      expect(scene.logged(REFUSED)).to.be.empty;
    });

    it('removes certificates the served configuration no longer lists', async () => {
      const pair = await selfSignedCertificate({ hosts: [SECURE_HOST], subject: '/CN=old' });
      const certificate = f.certificate(pair.certPem + pair.keyPem);
      const withCertificate = scene.render(201, certificate);
      scene.publish(withCertificate);
      await scene.startAgent();
      await eventually(() => scene.appliedAnnotation() === withCertificate.hash);
      const plain = scene.render(201);
      scene.publish(plain);
      await eventually(() => scene.appliedAnnotation() === plain.hash);
      const gone = await stat(path.join(scene.dir, 'certs', `${certificate.id}.pem`)).catch(() => undefined);
      expect(gone).to.equal(undefined);
    });
  });
}
