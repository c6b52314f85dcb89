/**
 * Endpoint changes without a reload (issue 6), against a real HAProxy 2.6 on 127.0.48.1 with
 * echo backends on 127.0.48.2: a backend of eight rendered slots scales 1 → 50 (past its slots:
 * dynamic servers) → 1 → 50 → 1 → 7, all live in the same master with its reload counter
 * unchanged, and traffic reaches only the endpoints of the moment.
 */
import http from 'node:http';
import { expect } from 'chai';
import type { GatewayModel } from '../../../operator/model/types.js';
import type { ProxyProcess, RenderedConfig } from '../../../drivers/driver.js';
import { commitFiles, readServedHash, stageFiles } from '../../../drivers/deploy.js';
import { waitFor } from '../../support/standalone.js';
import { haproxyDriver } from '../../../drivers/haproxy/index.js';
import { readMasterCounters } from '../../../drivers/haproxy/masterCli.js';
import { masterSocketPath } from '../../../drivers/haproxy/process.js';
import { adminSocketPath } from '../../../drivers/haproxy/runtimeApi.js';
import { runtimeCommands } from '../../support/runtimeCommands.js';
import { startEcho, type EchoServer } from '../../support/echo.js';
import { removeDir, tempRuntimeDir } from '../../unit/drivers/haproxy/checker.js';
import * as f from '../../unit/drivers/haproxy/fixtures.js';
import { processesUsing } from '../../unit/drivers/haproxy/live.js';

const ADDRESS = '127.0.48.1';
const BACKENDS = '127.0.48.2';
const PORT = 18480;
const PODS = 50;

/** A Gateway forwarding everything to one Service whose endpoints are `pods[indices]`. */
function model(pods: readonly EchoServer[], indices: readonly number[], teapot = false): GatewayModel {
  const web = f.upstream(
    'web',
    80,
    indices.map((i) => f.endpoint(pods[i]!.address, pods[i]!.port)),
  );
  const rules = [
    f.rule('web', 0, f.prefix('/'), f.forward(f.to(web))),
    ...(teapot ? [f.rule('web', 1, f.exact('/teapot'), f.fixed(418))] : []),
  ];
  return f.gateway([f.port(PORT, f.vhost('*', ...rules))], [web]);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const names = (indices: readonly number[]): string[] => indices.map((i) => `pod-${i}`).sort();

/** `GET path` through the proxy; the echo backend names itself in `pod`. */
function get(path: string, agent: http.Agent | false = false): Promise<{ status: number; pod?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ADDRESS, port: PORT, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const json = res.headers['content-type'] === 'application/json';
        const pod = json ? (JSON.parse(body) as { pod: string }).pod : undefined;
        resolve({ status: res.statusCode ?? 0, ...(pod === undefined ? {} : { pod }) });
      });
    });
    req.on('error', reject);
  });
}

describe('haproxy driver: endpoint changes without a reload', function () {
  this.timeout(60_000);
  let dir: string;
  const pods: EchoServer[] = [];
  let proxy: ProxyProcess | undefined;
  let served: GatewayModel;
  let agent: http.Agent;
  const timings: string[] = [];

  const target = (): ReturnType<typeof f.target> => f.target(dir, ADDRESS);
  // The master CLI does not answer for a moment after a start or reload: ask until it does.
  const reloads = (): Promise<number> =>
    waitFor('the master counters', async () => (await readMasterCounters(masterSocketPath(dir)))?.reloads);

  /** What the deployer does around a reload or after a live update: stage, validate, commit. */
  async function deploy(config: RenderedConfig): Promise<void> {
    stageFiles(config, dir);
    expect(await haproxyDriver.validate(config, dir)).to.deep.equal({ ok: true });
    commitFiles(config, dir);
  }

  /** applyLive, timed; on success the files are committed too, as the deployer does. */
  async function applyLive(next: GatewayModel): Promise<boolean> {
    const started = process.hrtime.bigint();
    const live = await haproxyDriver.applyLive!(served, next, target());
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    timings.push(
      `${served.upstreams[0]!.endpoints.length} → ${next.upstreams[0]!.endpoints.length}: ${live ? 'live' : 'reload needed'} in ${ms.toFixed(1)} ms`,
    );
    if (live) {
      await deploy(haproxyDriver.render(next, target()));
      served = next;
    }
    return live;
  }

  /** The pods that answered `count` requests, half on new connections, half on one kept alive. */
  async function podsAnswering(count: number): Promise<string[]> {
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const reply = await get('/', i % 2 === 0 ? false : agent);
      expect(reply.status, `request ${i}`).to.equal(200);
      seen.add(reply.pod!);
    }
    return [...seen].sort();
  }

  before(async () => {
    dir = await tempRuntimeDir();
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const i of range(0, PODS))
      pods.push(await startEcho({ namespace: 'default', pod: `pod-${i}` }, BACKENDS));
    served = model(pods, [0]);
    const first = haproxyDriver.render(served, target());
    await deploy(first);
    proxy = await haproxyDriver.start(first, dir);
  });

  after(async () => {
    agent?.destroy();
    await proxy?.stop(1000);
    await Promise.all(pods.map((pod) => pod.close()));
    await removeDir(dir);
    if (process.env.GATEPLANE_TIMINGS) console.log(timings.map((line) => `      ${line}`).join('\n'));
  });

  it('starts on one endpoint in a backend of eight slots', async () => {
    const [state] = await runtimeCommands(adminSocketPath(dir), ['show servers state default_web_80']);
    expect(state!.split('\n').filter((line) => /^\d+ default_web_80 /.test(line))).to.have.length(8);
    expect(await podsAnswering(6)).to.deep.equal(['pod-0']);
  });

  /** The backend's servers as the proxy lists them: `name addr:port` of those that serve. */
  async function serving(): Promise<{ servers: number; serving: string[]; idleLimits: string[] }> {
    const [state, conn] = await runtimeCommands(adminSocketPath(dir), [
      'show servers state default_web_80',
      'show servers conn default_web_80',
    ]);
    const rows = state!.split('\n').filter((line) => /^\d+ default_web_80 /.test(line));
    const up = rows
      .filter((row) => (Number(row.split(' ')[6]) & 0x3b) === 0)
      .map((row) => row.split(' ')[3]!);
    // idle_lim and purge_delay of the dynamic servers: a rendered server's -1 and 5000.
    const idleLimits = conn!
      .split('\n')
      .filter((line) => line.startsWith('default_web_80/dyn'))
      .map((line) => {
        const fields = line.split(/\s+/);
        return `${fields[5]} ${fields[11]}`;
      });
    return { servers: rows.length, serving: up, idleLimits: [...new Set(idleLimits)] };
  }

  it('grows past the rendered slots live, with dynamic servers, and changes nothing else', async () => {
    const pid = proxy!.pid;
    const before = await reloads();
    const next = model(pods, range(0, PODS));
    expect(await applyLive(next)).to.equal(true);
    expect(await readServedHash(dir)).to.equal(haproxyDriver.render(next, target()).hash);
    expect([proxy!.pid, await reloads()]).to.deep.equal([pid, before]);
    const live = await serving();
    expect(live.servers).to.equal(8 + PODS - 8);
    expect(live.serving).to.have.length(PODS);
    expect(live.idleLimits).to.deep.equal(['5000 -1']);
    // Round robin over fifty servers: a hundred requests reach every one.
    expect(await podsAnswering(100)).to.deep.equal(names(range(0, PODS)));
  });

  it('shrinks to one and grows to fifty again live, reusing the dynamic servers', async () => {
    const before = await reloads();
    expect(await applyLive(model(pods, [5]))).to.equal(true);
    expect((await serving()).serving).to.have.length(1);
    expect(await podsAnswering(20)).to.deep.equal(['pod-5']);
    expect(await applyLive(model(pods, range(0, PODS)))).to.equal(true);
    expect((await serving()).servers, 'no server added').to.equal(PODS);
    expect(await podsAnswering(100)).to.deep.equal(names(range(0, PODS)));
    expect(await reloads()).to.equal(before);
  });

  it('shrinks to one endpoint live: same master, no reload, the new hash served', async () => {
    const pid = proxy!.pid;
    const before = await reloads();
    const next = model(pods, [10]);
    expect(await applyLive(next)).to.equal(true);
    expect(await readServedHash(dir)).to.equal(haproxyDriver.render(next, target()).hash);
    expect([proxy!.pid, await reloads()]).to.deep.equal([pid, before]);
    expect(await podsAnswering(20)).to.deep.equal(['pod-10']);
  });

  it('grows to seven live, into slots a fresh render for one endpoint would not have', async () => {
    const before = await reloads();
    const next = model(pods, range(0, 7));
    expect(await applyLive(next)).to.equal(true);
    expect(await readServedHash(dir)).to.equal(haproxyDriver.render(next, target()).hash);
    expect(await reloads()).to.equal(before);
    expect(await podsAnswering(28)).to.deep.equal(names(range(0, 7)));
  });

  it('leaves a change beyond endpoints to a reload, changing nothing', async () => {
    const hash = await readServedHash(dir);
    expect(await applyLive(model(pods, range(0, 7), true))).to.equal(false);
    expect(await readServedHash(dir)).to.equal(hash);
    expect((await get('/teapot')).status).to.equal(200);
  });

  it('lets a request in flight on a removed endpoint finish, and sends no later request there', async () => {
    const before = await reloads();
    expect(await applyLive(model(pods, [20]))).to.equal(true);
    // The slow request rides the kept-alive connection, whose backend connection HAProxy would
    // reuse for later requests to the same slot.
    const slow = get('/?delay=800ms', agent);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await applyLive(model(pods, [21]))).to.equal(true);
    expect(await slow).to.deep.equal({ status: 200, pod: 'pod-20' });
    expect(await podsAnswering(20)).to.deep.equal(['pod-21']);
    // The slot pod-20 had is free again once its request ended.
    expect(await applyLive(model(pods, [22, 23]))).to.equal(true);
    expect(await podsAnswering(20)).to.deep.equal(['pod-22', 'pod-23']);
    expect(await reloads()).to.equal(before);
  });

  it('committed files that a reload loads into the same endpoints, without the dynamic servers', async () => {
    const hash = await readServedHash(dir);
    await proxy!.reload(hash!);
    expect(await proxy!.confirm(hash!, 10_000)).to.equal(true);
    expect(await serving()).to.deep.equal({ servers: 8, serving: ['ep0', 'ep1'], idleLimits: [] });
    expect(await podsAnswering(20)).to.deep.equal(['pod-22', 'pod-23']);
  });

  it('stops with no master or worker left', async () => {
    await proxy!.stop(2000);
    proxy = undefined;
    expect(processesUsing(dir)).to.deep.equal([]);
  });
});
