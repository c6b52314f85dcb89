import { expect } from 'chai';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readMasterPid } from '../../operator/standalone/proxyRuntime.js';
import { gatewayFolder } from '../../operator/standalone/stateDir.js';
import { startEchoPods, type EchoPods } from '../support/echoPods.js';
import { request, requestMany, type Reply } from '../support/http.js';
import { copyQuickstart } from '../support/quickstartCopy.js';
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

const DRIVERS = [
  { driver: 'nginx', backends: '127.0.31.', pool: '127.0.51.0/24', address: '127.0.51.1' },
  { driver: 'haproxy', backends: '127.0.32.', pool: '127.0.52.0/24', address: '127.0.52.1' },
] as const;

const logLines = (logs: string): Record<string, unknown>[] =>
  logs
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const podOf = (reply: Reply): string => reply.echo?.pod ?? `(status ${reply.status})`;

for (const { driver, backends, pool, address } of DRIVERS) {
  describe(`quickstart on ${driver} (gateplane standalone, real proxy)`, function () {
    this.timeout(60_000);
    let files: string;
    let pods: EchoPods;
    let run: StandaloneRun;
    const get = (host: string, p = '/'): Promise<Reply> => request({ address, port: 8080, host, path: p });
    const folder = (): string => gatewayFolder(run.stateDir, { namespace: 'default', name: 'quickstart' });

    before(async () => {
      files = await copyQuickstart(await tempDir(`quickstart-${driver}`), backends);
      pods = await startEchoPods([files]);
      run = await startStandalone({ paths: [files], driver, addressPool: pool, watch: true });
      await waitFor('the Gateway to be Programmed', async () => {
        const gateway = findStatus(await readStatus(run.statusFile), 'Gateway', 'quickstart');
        return condition(gateway?.status.conditions, 'Programmed')?.status === 'True' ? gateway : undefined;
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}\nlogs:\n${run.logs()}`);
      });
    });

    after(async () => {
      await run?.stop();
      await pods?.close();
    });

    it('routes www.example.com to the web pods, spread over both', async () => {
      const replies = await requestMany({ address, port: 8080, host: 'www.example.com', path: '/' }, 20, 4);
      const seen = new Set(replies.map(podOf));
      expect([...seen].sort()).to.deep.equal(['web-6d5f7c9b8-k2x4q', 'web-6d5f7c9b8-p9r7t']);
      expect(replies.every((r) => r.echo?.namespace === 'default')).to.equal(true);
    });

    it('matches path prefixes element by element and exact paths exactly', async () => {
      expect(podOf(await get('api.example.com', '/v2'))).to.match(/^api-v2-/);
      expect(podOf(await get('api.example.com', '/v2/orders'))).to.match(/^api-v2-/);
      expect(podOf(await get('api.example.com', '/status'))).to.match(/^api-v1-/);
      // `/v2x` is not under the `/v2` prefix and `/status/x` is not the exact `/status`: both
      // fall to the split rule, which must sometimes answer from api-v1 (80 %).
      for (const p of ['/v2x', '/status/x']) {
        const replies = await requestMany({ address, port: 8080, host: 'api.example.com', path: p }, 30, 5);
        expect(replies.map(podOf).some((pod) => pod.startsWith('api-v1-'))).to.equal(true, p);
      }
    });

    it('forwards the path and query byte for byte, and the Host header unchanged', async () => {
      const reply = await get('www.example.com', '/a/b?x=1&y=%20z');
      expect(reply.echo?.path).to.equal('/a/b?x=1&y=%20z');
      expect(reply.echo?.host).to.equal('www.example.com');
      expect(reply.headers['content-type']).to.equal('application/json');
    });

    it('splits api.example.com 80/20 between api-v1 and api-v2', async () => {
      const replies = await requestMany(
        { address, port: 8080, host: 'api.example.com', path: '/' },
        1000,
        10,
      );
      const v1 = replies.filter((r) => podOf(r).startsWith('api-v1-')).length;
      const v2 = replies.filter((r) => podOf(r).startsWith('api-v2-')).length;
      expect(v1 + v2).to.equal(1000);
      // 1000 draws at p = 0.8 have a standard deviation of 0.0126: 0.05 is four of them.
      expect(Math.abs(v1 / 1000 - 0.8)).to.be.lessThan(0.05);
    });

    it('answers 404 for a host no route serves', async () => {
      expect((await get('nobody.example.com')).status).to.equal(404);
    });

    it('reports conditions, the address and attached routes in the status file', async () => {
      const items = await readStatus(run.statusFile);
      const gatewayClass = findStatus(items, 'GatewayClass', 'gateplane');
      expect(condition(gatewayClass?.status.conditions, 'Accepted')).to.include({
        status: 'True',
        reason: 'Accepted',
        observedGeneration: 1,
      });
      const gateway = findStatus(items, 'Gateway', 'quickstart', 'default');
      expect(gateway?.status.addresses).to.deep.equal([{ type: 'IPAddress', value: address }]);
      for (const type of ['Accepted', 'Programmed']) {
        expect(condition(gateway?.status.conditions, type)).to.include({
          status: 'True',
          reason: type,
          observedGeneration: 1,
        });
      }
      const listener = gateway?.status.listeners?.[0];
      expect(listener?.attachedRoutes).to.equal(2);
      expect(listener?.supportedKinds).to.deep.equal([
        { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
      ]);
      for (const name of ['web', 'api']) {
        const parent = findStatus(items, 'HTTPRoute', name, 'default')?.status.parents?.[0];
        expect(parent?.controllerName).to.equal('gateplane.io/gateway-controller');
        expect(parent?.parentRef).to.deep.include({
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: 'quickstart',
        });
        expect(condition(parent?.conditions, 'Accepted')).to.include({ status: 'True', reason: 'Accepted' });
        expect(condition(parent?.conditions, 'ResolvedRefs')).to.include({
          status: 'True',
          reason: 'ResolvedRefs',
        });
        expect(condition(parent?.conditions, 'Accepted')?.lastTransitionTime).to.match(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
        );
      }
    });

    it('applies a new route file and an in-place edit under --watch without restarting the proxy', async () => {
      const pid = await readMasterPid(folder());
      expect(pid).to.be.a('number');
      const route = (host: string, service: string): string =>
        [
          'apiVersion: gateway.networking.k8s.io/v1',
          'kind: HTTPRoute',
          'metadata: { name: extra, namespace: default }',
          'spec:',
          '  parentRefs: [{ name: quickstart }]',
          `  hostnames: [${host}]`,
          `  rules: [{ backendRefs: [{ name: ${service}, port: 80 }] }]`,
          '',
        ].join('\n');
      // Written the way editors and tools do: to a temporary name, then renamed over.
      const extra = path.join(files, 'extra.yaml');
      await writeFile(`${extra}.tmp`, route('new.example.com', 'api-v2'));
      await rename(`${extra}.tmp`, extra);
      await eventually('new.example.com served by api-v2', async () => {
        expect(podOf(await get('new.example.com'))).to.match(/^api-v2-/);
      });
      await writeFile(extra, route('new.example.com', 'web'));
      await eventually('new.example.com served by web after an in-place edit', async () => {
        expect(podOf(await get('new.example.com'))).to.match(/^web-/);
      });
      await rm(extra);
      await eventually('new.example.com gone after the file is deleted', async () => {
        expect((await get('new.example.com')).status).to.equal(404);
      });
      expect(await readMasterPid(folder())).to.equal(pid);
    });

    it('reports a file that does not parse and an invalid object by file and document, and serves the rest', async () => {
      const broken = path.join(files, 'broken.yaml');
      const validRoute =
        'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: fine, namespace: default }\nspec:\n  parentRefs: [{ name: quickstart }]\n  hostnames: [fine.example.com]\n  rules: [{ backendRefs: [{ name: web, port: 80 }] }]\n';
      const invalidRoute =
        'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: bad-path, namespace: default }\nspec:\n  parentRefs: [{ name: quickstart }]\n  rules: [{ matches: [{ path: { type: PathPrefix, value: "no-slash" } }] }]\n';
      await writeFile(broken, `${validRoute}---\n${invalidRoute}---\nkind: [unclosed\n`);
      await eventually('the valid document of a partly broken file is served', async () => {
        expect(podOf(await get('fine.example.com'))).to.match(/^web-/);
      });
      const problems = logLines(run.logs()).filter((line) => line.message === 'Input not loaded');
      expect(problems.map((line) => `${String(line.where)}: ${String(line.reason)}`)).to.include.members([
        `${broken} (document 2, index 1): spec.rules[0].matches[0].path.value: must be an absolute path`,
      ]);
      expect(
        problems.some(
          (line) =>
            line.where === `${broken} (document 3, index 2)` && /^not valid YAML/.test(String(line.reason)),
        ),
      ).to.equal(true);
      expect(podOf(await get('www.example.com'))).to.match(/^web-/);
      await rm(broken);
    });

    it('answers 500 for a route whose Service does not exist and reports BackendNotFound', async () => {
      const missing = path.join(files, 'missing.yaml');
      await writeFile(
        missing,
        'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: missing, namespace: default }\nspec:\n  parentRefs: [{ name: quickstart }]\n  hostnames: [missing.example.com]\n  rules: [{ backendRefs: [{ name: nowhere, port: 80 }] }]\n',
      );
      await eventually('missing.example.com answers 500', async () => {
        expect((await get('missing.example.com')).status).to.equal(500);
      });
      const parent = await waitFor('the route status', async () => {
        const p = findStatus(await readStatus(run.statusFile), 'HTTPRoute', 'missing')?.status.parents?.[0];
        return condition(p?.conditions, 'ResolvedRefs')?.status === 'False' ? p : undefined;
      });
      expect(condition(parent.conditions, 'ResolvedRefs')).to.include({ reason: 'BackendNotFound' });
      expect(condition(parent.conditions, 'Accepted')).to.include({ status: 'True' });
      expect(podOf(await get('www.example.com'))).to.match(/^web-/);
      await rm(missing);
    });

    it('drains and stops every proxy on SIGTERM, and exits 0', async () => {
      const pid = await readMasterPid(folder());
      expect(await proxyProcessesUnder(run.stateDir)).to.include(pid);
      const exit = await run.stop();
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(await proxyProcessesUnder(run.stateDir)).to.deep.equal([]);
    });
  });
}
