import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { readMasterCounters } from '../../drivers/haproxy/masterCli.js';
import { masterSocketPath } from '../../drivers/haproxy/process.js';
import { readMasterPid } from '../../operator/standalone/proxyRuntime.js';
import { gatewayFolder } from '../../operator/standalone/stateDir.js';
import { startEcho, type EchoServer } from '../support/echo.js';
import { request, type Reply } from '../support/http.js';
import { GATEWAY_CLASS, gateway, podService } from '../support/manifests.js';
import {
  eventually,
  proxyProcessesUnder,
  startStandalone,
  tempDir,
  waitFor,
  type StandaloneRun,
} from '../support/standalone.js';

/**
 * Route changes without a reload on HAProxy (drivers/haproxy/maps.ts, issue 6): under
 * `gateplane standalone --watch`, routes of exact hostnames that match paths and forward are
 * added, re-pointed and removed through the runtime API's maps. The master's reload counter and
 * pid stay the same, the precedence of exact paths and longest prefixes holds, a route may
 * return to a Service whose backend is still loaded, and a route to a Service the proxy has
 * never had takes the one reload HAProxy 2.6 needs for a new backend.
 */
const POOL = '127.0.62.0/24';
/** The first address of the pool: the one Gateway gets it. */
const ADDRESS = '127.0.62.1';
const PORT = 18491;
const GATEWAY = { namespace: 'default', name: 'gw' };
const SERVICES = { a: '127.0.63.1', b: '127.0.63.2', c: '127.0.63.3' } as const;
type ServiceName = keyof typeof SERVICES;

const GATEWAY_MANIFESTS = GATEWAY_CLASS + gateway(`{ name: http, port: ${PORT}, protocol: HTTP }`);

function service(name: ServiceName): string {
  return podService(`svc-${name}`, SERVICES[name], `pod-${name}`);
}

/** HTTPRoute `default/<name>` for `host`: one rule per `[path type, path, service]`. */
function route(name: string, host: string, rules: readonly [string, string, ServiceName][]): string {
  const list = rules
    .map(
      ([type, value, to]) =>
        `{ matches: [{ path: { type: ${type}, value: "${value}" } }], backendRefs: [{ name: svc-${to}, port: 80 }] }`,
    )
    .join(', ');
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${host}]
  rules: [${list}]
`;
}

const answer = (reply: Reply): string => reply.echo?.pod ?? String(reply.status);

describe('route changes through HAProxy maps, without a reload', function () {
  this.timeout(60_000);
  let dir: string;
  let run: StandaloneRun | undefined;
  const pods: EchoServer[] = [];

  const folder = (): string => gatewayFolder(run!.stateDir, GATEWAY);
  const get = async (host: string, p: string): Promise<string> =>
    answer(await request({ address: ADDRESS, port: PORT, host, path: p }));
  // The master CLI does not answer for a moment after a start or reload: ask until it does.
  const reloads = (): Promise<number> =>
    waitFor(
      'the master counters',
      async () => (await readMasterCounters(masterSocketPath(folder())))?.reloads,
    );
  const writeRoute = (file: string, content: string): Promise<void> =>
    writeFile(path.join(dir, file), content);

  /** Every `[host, path, answer]` holds, three times in a row. */
  async function serves(what: string, expected: readonly [string, string, string][]): Promise<void> {
    await eventually(what, async () => {
      const seen = await Promise.all(expected.map(([host, p]) => get(host, p)));
      expect(seen).to.deep.equal(expected.map(([, , want]) => want));
    });
  }

  before(async () => {
    dir = await tempDir('route-maps');
    for (const [name, podAddress] of Object.entries(SERVICES))
      pods.push(
        await startEcho(
          { namespace: 'default', pod: `pod-${name}`, service: `svc-${name}` },
          podAddress,
          3000,
        ),
      );
    await writeFile(
      path.join(dir, 'base.yaml'),
      [GATEWAY_MANIFESTS, service('a'), service('b'), service('c')].join(''),
    );
    await writeRoute('r1.yaml', route('r1', 'a.example', [['PathPrefix', '/', 'a']]));
    await writeRoute('r2.yaml', route('r2', 'b.example', [['PathPrefix', '/', 'b']]));
    run = await startStandalone({ paths: [dir], driver: 'haproxy', addressPool: POOL, watch: true });
    await serves('the first routes', [
      ['a.example', '/', 'pod-a'],
      ['b.example', '/', 'pod-b'],
    ]);
  });

  after(async () => {
    const exit = await run?.stop();
    await Promise.all(pods.map((pod) => pod.close()));
    if (run) {
      expect(exit).to.deep.equal({ code: 0, signal: null });
      expect(await proxyProcessesUnder(run.stateDir)).to.deep.equal([]);
    }
  });

  it('adds, re-points and removes routes with the master neither reloaded nor restarted', async () => {
    const pid = await waitFor('the proxy pid', () => readMasterPid(folder()));
    const first = await reloads();

    // A new host, with an exact path, two nested prefixes and no `/` rule.
    await writeRoute(
      'r3.yaml',
      route('r3', 'c.example', [
        ['Exact', '/x', 'a'],
        ['PathPrefix', '/api', 'b'],
        ['PathPrefix', '/api/v2', 'a'],
      ]),
    );
    await serves('the new host, with the spec precedence of its paths', [
      ['c.example', '/x', 'pod-a'],
      ['c.example', '/x/y', '404'],
      ['c.example', '/api', 'pod-b'],
      ['c.example', '/api/v1', 'pod-b'],
      ['c.example', '/api/v2/z', 'pod-a'],
      ['c.example', '/apix', '404'],
      ['c.example', '/', '404'],
      ['C.Example:80', '/api', 'pod-b'],
      // A Host holding `/` must not shift the boundary between host and path.
      ['c.example/api', '/', '404'],
      ['a.example', '/', 'pod-a'],
    ]);

    // An existing route moves to another existing Service.
    await writeRoute('r1.yaml', route('r1', 'a.example', [['PathPrefix', '/', 'b']]));
    await serves('the re-pointed route', [['a.example', '/anything', 'pod-b']]);

    // A route goes away: its host answers 404, the others still serve.
    await rm(path.join(dir, 'r2.yaml'));
    await serves('without the removed route', [
      ['b.example', '/', '404'],
      ['a.example', '/', 'pod-b'],
      ['c.example', '/api', 'pod-b'],
    ]);

    // The last routes to svc-a go, then one comes back: its backend stayed loaded.
    await writeRoute('r3.yaml', route('r3', 'c.example', [['PathPrefix', '/api', 'b']]));
    await serves('with no route to svc-a', [['c.example', '/x', '404']]);
    await writeRoute('r1.yaml', route('r1', 'a.example', [['PathPrefix', '/', 'a']]));
    await serves('a route back to svc-a', [['a.example', '/', 'pod-a']]);

    expect(await reloads(), 'reloads of the master').to.equal(first);
    expect(await readMasterPid(folder()), 'master pid').to.equal(pid);
  });

  it('reloads, once, for a route to a Service that has no backend yet', async () => {
    await writeRoute('r2.yaml', route('r2', 'b.example', [['PathPrefix', '/', 'b']]));
    await serves('the route back', [['b.example', '/', 'pod-b']]);
    const before = await reloads();
    // svc-c has no route yet, so HAProxy has no backend for it: a new backend needs a reload.
    await writeRoute('r4.yaml', route('r4', 'd.example', [['PathPrefix', '/', 'c']]));
    await serves('the route to the new backend', [
      ['d.example', '/', 'pod-c'],
      ['b.example', '/', 'pod-b'],
    ]);
    expect(await reloads()).to.equal(before + 1);
  });
});
