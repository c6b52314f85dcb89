import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { startEcho, type EchoServer } from '../support/echo.js';
import { request, type Reply } from '../support/http.js';
import { GATEWAY_CLASS, gateway, httpRoute, podService } from '../support/manifests.js';
import {
  eventually,
  proxyProcessesUnder,
  startStandalone,
  tempDir,
  type StandaloneRun,
} from '../support/standalone.js';

/**
 * Hosts that share one lookup, with real proxies: on nginx, hosts whose first rule forwards every
 * path share one server{} and a `map $host` (drivers/nginx/hostMap.ts); on HAProxy, hosts whose
 * rules only match paths are map entries (drivers/haproxy/maps.ts). Beside them, a wildcard
 * host, a host with a header condition and an unknown host answer as they would on their own.
 */
const DRIVERS = [
  { driver: 'nginx', pool: '127.0.64.0/24', address: '127.0.64.1' },
  { driver: 'haproxy', pool: '127.0.65.0/24', address: '127.0.65.1' },
] as const;
const PORT = 18492;
const PODS = { a: '127.0.66.1', b: '127.0.66.2' } as const;

const service = (name: keyof typeof PODS): string => podService(`svc-${name}`, PODS[name], `pod-${name}`);

const MANIFESTS = [
  GATEWAY_CLASS,
  gateway(`{ name: http, port: ${PORT}, protocol: HTTP }`),
  service('a'),
  service('b'),
  httpRoute('one', 'one.example.com, two.example.com', 'svc-a'),
  httpRoute('three', 'three.example.com', 'svc-b'),
  httpRoute('wild', '"*.example.com"', 'svc-b'),
  httpRoute('canary', 'canary.example.com', 'svc-a', '{ headers: [{ name: x-canary, value: "1" }] }'),
].join('');

for (const { driver, pool, address } of DRIVERS) {
  describe(`hosts sharing one lookup on ${driver}`, function () {
    this.timeout(60_000);
    let run: StandaloneRun | undefined;
    const pods: EchoServer[] = [];
    const answer = (reply: Reply): string => reply.echo?.pod ?? String(reply.status);
    const get = async (host: string, p = '/'): Promise<string> =>
      answer(await request({ address, port: PORT, host, path: p }));

    before(async () => {
      const dir = await tempDir(`host-map-${driver}`);
      for (const [name, podAddress] of Object.entries(PODS))
        pods.push(await startEcho({ namespace: 'default', pod: `pod-${name}` }, podAddress, 3000));
      await writeFile(path.join(dir, 'all.yaml'), MANIFESTS);
      run = await startStandalone({ paths: [dir], driver, addressPool: pool, watch: false });
    });

    after(async () => {
      await run?.stop();
      await Promise.all(pods.map((pod) => pod.close()));
      if (run) expect(await proxyProcessesUnder(run.stateDir)).to.deep.equal([]);
    });

    it('routes every host as if it had its own block', async () => {
      const expected: [string, string, string][] = [
        ['one.example.com', '/', 'pod-a'],
        ['two.example.com', '/any/path?q=1', 'pod-a'],
        ['THREE.example.com:18492', '/x', 'pod-b'],
        ['other.example.com', '/', 'pod-b'],
        // The header condition fails: the wildcard route's rule is the host's next one.
        ['canary.example.com', '/', 'pod-b'],
        ['nothing.test', '/', '404'],
      ];
      await eventually('every host', async () => {
        const seen = await Promise.all(expected.map(([host, p]) => get(host, p)));
        expect(seen).to.deep.equal(expected.map(([, , want]) => want));
      });
    });

    it('writes the shared lookup, not a block per host', async () => {
      const state = run!.stateDir;
      const main = driver === 'nginx' ? 'nginx.conf' : 'haproxy.cfg';
      const config = await readFile(path.join(state, 'default_gw', main), 'utf8');
      if (driver === 'nginx') {
        expect(config).to.include('proxy_pass http://$gp_host_0;');
        expect(config.match(/server_name "one\.example\.com";/g)).to.have.length(1);
      } else {
        expect(config).to.include('map_beg(');
        expect(config).to.not.include('"one.example.com"');
      }
    });
  });
}
