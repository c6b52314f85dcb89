import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readMasterPid } from '../../operator/standalone/proxyRuntime.js';
import { gatewayFolder } from '../../operator/standalone/stateDir.js';
import { gateway, GATEWAY_CLASS } from '../support/manifests.js';
import { eventually, startStandalone, tempDir, waitFor, type StandaloneRun } from '../support/standalone.js';
import { offeredCertificateCN, selfSignedCertificate, type KeyPair } from '../support/tls.js';

/**
 * A certificate Secret that changes is served without a restart (issue 7): the new certificate
 * reaches the handshake, through a graceful reload of the same proxy.
 */
const DRIVERS = [
  { driver: 'nginx', pool: '127.0.57.0/24', address: '127.0.57.1' },
  { driver: 'haproxy', pool: '127.0.58.0/24', address: '127.0.58.1' },
] as const;

const b64 = (text: string): string => Buffer.from(text).toString('base64');

const manifests = (pair: KeyPair): string =>
  [
    GATEWAY_CLASS,
    gateway('{ name: https, port: 18443, protocol: HTTPS, tls: { certificateRefs: [{ name: cert }] } }'),
    `
---
apiVersion: v1
kind: Secret
metadata: { name: cert, namespace: default }
type: kubernetes.io/tls
data:
  tls.crt: ${b64(pair.certPem)}
  tls.key: ${b64(pair.keyPem)}
`,
  ].join('');

for (const { driver, pool, address } of DRIVERS) {
  describe(`certificate rotation on ${driver}`, function () {
    this.timeout(60_000);
    let run: StandaloneRun;

    after(async () => {
      await run?.stop();
    });

    it('serves the new certificate after its Secret changes, from the same proxy', async () => {
      const dir = await tempDir(`rotation-${driver}`);
      const first = await selfSignedCertificate({ hosts: ['rotate.example.com'], subject: '/CN=first' });
      const second = await selfSignedCertificate({ hosts: ['rotate.example.com'], subject: '/CN=second' });
      await writeFile(path.join(dir, 'all.yaml'), manifests(first));
      run = await startStandalone({ paths: [dir], driver, addressPool: pool, watch: true });
      await eventually('the first certificate', async () => {
        expect(await offeredCertificateCN(address, 18443, 'rotate.example.com')).to.equal('first');
      });
      const pid = await waitFor('the proxy pid', () =>
        readMasterPid(gatewayFolder(run.stateDir, { namespace: 'default', name: 'gw' })),
      );
      await writeFile(path.join(dir, 'all.yaml'), manifests(second));
      await eventually('the second certificate', async () => {
        expect(await offeredCertificateCN(address, 18443, 'rotate.example.com')).to.equal('second');
      });
      expect(await readMasterPid(gatewayFolder(run.stateDir, { namespace: 'default', name: 'gw' }))).to.equal(
        pid,
      );
    });
  });
}
