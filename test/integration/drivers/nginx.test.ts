/**
 * The nginx driver against real nginx: two node:http echo backends on 127.0.0.1, nginx on
 * 127.0.41.1 (an address of its own, so it never meets the HAProxy tests), started, reloaded and
 * stopped through the driver exactly as a deployer would.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { commitFiles, readServedHash, stageFiles } from '../../../drivers/deploy.js';
import type { Driver, ProxyProcess, RenderTarget } from '../../../drivers/driver.js';
import { createNginxDriver, nginxDriver } from '../../../drivers/nginx/index.js';
import { childrenOf, isRunning, listeningCheck, processRef } from '../../../drivers/procfs.js';
import type { GatewayModel } from '../../../operator/model/types.js';
import {
  exact,
  fixed,
  forward,
  gatewayModel,
  HOSTILE_PATHS,
  host,
  invalid,
  port,
  prefix,
  rule,
  to,
  upstream,
} from '../../unit/drivers/nginx/fixtures.js';
import { type Echoed, type Reply, type Request, request, startEcho } from '../../unit/drivers/nginx/echo.js';
import {
  featureModel,
  type FeatureOptions,
  HOSTILE_VALUE,
  MATCHED,
  TLS_STATUS,
} from '../../unit/drivers/nginx/features.js';
import { handshake, httpsRequest, selfSigned } from '../../unit/drivers/nginx/tlsClient.js';

const ADDRESS = '127.0.41.1';
const PORT = 18080;
const get = (target: string, hostHeader: string, headers: Record<string, string> = {}, port = PORT) =>
  request({ address: ADDRESS, port, path: target, host: hostHeader, headers });

const backendOf = (reply: Reply): string => (JSON.parse(reply.body) as { backend: string }).backend;
const encodePath = (p: string): string =>
  p.replace(/[^A-Za-z0-9/._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);

async function deploy(driver: Driver, model: GatewayModel, target: RenderTarget): Promise<string> {
  const config = driver.render(model, target);
  stageFiles(config, target.runtimeDir);
  expect(await driver.validate(config, target.runtimeDir)).to.deep.equal({ ok: true });
  commitFiles(config, target.runtimeDir);
  return config.hash;
}

/** pids whose command line mentions `dir`: nginx's master keeps its arguments in its title. */
async function processesMentioning(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir) && processRef(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}

describe('nginx driver with real nginx', function () {
  this.timeout(60_000);
  let echoA: http.Server;
  let echoB: http.Server;
  let runtimeDir: string;
  let proxy: ProxyProcess | undefined;
  const endpoint = (server: http.Server): [string, number] => [
    '127.0.0.1',
    (server.address() as AddressInfo).port,
  ];

  function model(version: 1 | 2): GatewayModel {
    const a = upstream('echo-a', 80, [endpoint(echoA)]);
    const b = upstream('echo-b', 80, [endpoint(echoB)]);
    const empty = upstream('nobody', 80, []);
    const appRules = [
      rule('app', 0, exact('/exact'), forward(to(a.name))),
      rule('app', 1, prefix('/foo'), forward(to(version === 1 ? a.name : b.name))),
      rule('app', 2, exact('/fixed500'), fixed(500)),
      rule('app', 3, prefix('/split'), forward(to(a.name), to(b.name))),
      rule('app', 4, prefix('/invalid'), forward(to(a.name), invalid())),
      rule('app', 5, prefix('/empty'), forward(to(empty.name))),
      ...HOSTILE_PATHS.map((p, i) => rule('hostile', i, exact(p), fixed(231 + i))),
    ];
    const hosts = [
      host('app.example.com', appRules),
      host('*.example.com', [rule('wild', 0, prefix('/'), forward(to(b.name)))]),
    ];
    if (version === 2) hosts.unshift(host('new.example.com', [rule('new', 0, prefix('/'), fixed(299))]));
    return gatewayModel([port(PORT, hosts)], [a, b, empty]);
  }

  before(async () => {
    [echoA, echoB] = await Promise.all([startEcho('a'), startEcho('b')]);
    runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-it-'));
    const target = { bindAddress: ADDRESS, runtimeDir };
    await deploy(nginxDriver, model(1), target);
    proxy = await nginxDriver.start(nginxDriver.render(model(1), target), runtimeDir);
  });

  after(async () => {
    await proxy?.stop(2000);
    echoA?.close();
    echoB?.close();
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  it('serves the configuration hash on the status socket', async () => {
    expect(await readServedHash(runtimeDir)).to.equal(
      nginxDriver.render(model(1), { bindAddress: ADDRESS, runtimeDir }).hash,
    );
  });

  it('routes by Host: exact name, wildcard over one or more labels, case and port ignored, 404 otherwise', async () => {
    expect(backendOf(await get('/foo', 'app.example.com'))).to.equal('a');
    expect(backendOf(await get('/foo', 'APP.Example.com:18080'))).to.equal('a');
    expect(backendOf(await get('/', 'x.example.com'))).to.equal('b');
    expect(backendOf(await get('/', 'x.y.example.com'))).to.equal('b');
    const unknown = await get('/', 'example.com');
    expect([unknown.status, unknown.body]).to.deep.equal([404, '']);
  });

  it('matches exact paths exactly and prefixes element by element', async () => {
    expect((await get('/exact', 'app.example.com')).status).to.equal(200);
    expect((await get('/exact/more', 'app.example.com')).status).to.equal(404);
    expect((await get('/foo/bar', 'app.example.com')).status).to.equal(200);
    expect((await get('/foobar', 'app.example.com')).status).to.equal(404);
    const none = await get('/nothing', 'app.example.com');
    expect([none.status, none.body]).to.deep.equal([404, '']);
  });

  it('answers a fixedResponse with its status and an empty body', async () => {
    const reply = await get('/fixed500', 'app.example.com');
    expect([reply.status, reply.body]).to.deep.equal([500, '']);
  });

  it('answers 500 for the share of an invalid backend and forwards the rest', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await get('/invalid', 'app.example.com')).status);
    expect([...statuses].sort()).to.deep.equal([200, 500]);
  });

  it('spreads a 50/50 split over both backends', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add(backendOf(await get('/split/x', 'app.example.com')));
    expect([...seen].sort()).to.deep.equal(['a', 'b']);
  });

  it('answers 503 for an upstream without endpoints', async () => {
    expect((await get('/empty', 'app.example.com')).status).to.equal(503);
  });

  it('forwards path, query and Host unchanged over HTTP/1.1 keep-alive, and keeps Content-Type', async () => {
    const reply = await get('/foo/bar?x=1&y=%20', 'app.example.com:18080');
    expect(JSON.parse(reply.body)).to.include({
      backend: 'a',
      url: '/foo/bar?x=1&y=%20',
      host: 'app.example.com:18080',
      connection: null,
      version: '1.1',
      bodyBytes: 0,
    });
    expect(reply.headers['content-type']).to.equal('application/x-echo; charset=latin1');
    expect((await get('/foo', 'app.example.com', { 'x-no-content-type': '1' })).headers).not.to.have.property(
      'content-type',
    );
  });

  it('streams large bodies both ways, though workers cannot enter the 0700 runtime directory', async () => {
    const body = Buffer.alloc(3_000_000, 1);
    const upload = await request({
      address: ADDRESS,
      port: PORT,
      method: 'POST',
      path: '/foo',
      host: 'app.example.com',
      body,
    });
    expect(JSON.parse(upload.body)).to.include({ backend: 'a', bodyBytes: 3_000_000 });
    expect((await get('/foo', 'app.example.com', { 'x-reply-bytes': '3000000' })).body).to.have.length(
      3_000_000,
    );
    const log = await readFile(path.join(runtimeDir, 'error.log'), 'utf8');
    // What a worker unable to write a temp file logs: `[crit] ... open() ".../client_body_temp/..."
    // failed (13: Permission denied)`.
    expect(log.split('\n').filter((line) => /_temp|Permission denied/.test(line))).to.deep.equal([]);
  });

  it('routes hostile paths to their own rules: quoting kept each value intact', async () => {
    for (const [i, p] of HOSTILE_PATHS.entries())
      expect((await get(encodePath(p), 'app.example.com')).status, p).to.equal(231 + i);
  });

  it('reloads gracefully: same master, new hash, new behaviour', async () => {
    const before = proxy!.pid;
    const oldWorkers = childrenOf(before);
    const hash = await deploy(nginxDriver, model(2), { bindAddress: ADDRESS, runtimeDir });
    await proxy!.reload(hash);
    expect(await proxy!.confirm(hash, 10_000)).to.equal(true);
    expect(proxy!.pid).to.equal(before);
    // Confirmed means the old workers stopped accepting (nginx keeps them accepting for 100 ms
    // after the new ones start): every new connection meets the new configuration.
    expect(listeningCheck(oldWorkers)()).to.deep.equal([]);
    const backends = new Set<string>();
    for (let i = 0; i < 30; i++) backends.add(backendOf(await get('/foo', 'app.example.com')));
    expect([...backends]).to.deep.equal(['b']);
    expect((await get('/', 'new.example.com')).status).to.equal(299);
  });

  it('keeps serving the last good configuration when a reload fails, and shows why in stderrTail', async () => {
    const served = await readServedHash(runtimeDir);
    await writeFile(path.join(runtimeDir, 'nginx.conf'), 'events {}\nhttp { retrun 200; }\n');
    await proxy!.reload('0badbadbadbad');
    for (let i = 0; i < 250 && !proxy!.stderrTail().includes('unknown directive "retrun"'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(proxy!.stderrTail()).to.include('unknown directive "retrun"');
    expect(await readServedHash(runtimeDir)).to.equal(served);
    expect(backendOf(await get('/foo', 'app.example.com'))).to.equal('b');
  });

  it("fails to start with the proxy's own words when the port is taken", async () => {
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-it-'));
    try {
      const target = { bindAddress: ADDRESS, runtimeDir: otherDir };
      await deploy(nginxDriver, model(1), target);
      const failure = await nginxDriver
        .start(nginxDriver.render(model(1), target), otherDir)
        .catch((error: Error) => error);
      expect(failure).to.be.instanceOf(Error);
      expect((failure as Error).message).to.match(
        /bind\(\) to 127\.0\.41\.1:18080 failed \(98: Address already in use\)/,
      );
      expect(await processesMentioning(otherDir)).to.deep.equal([]);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('stops without leaving the master or any worker behind', async () => {
    const master = proxy!.pid;
    const workers = childrenOf(master);
    expect(workers).to.not.be.empty;
    const exit = await proxy!.stop(5000);
    proxy = undefined;
    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(() => process.kill(master, 0)).to.throw();
    expect(workers.filter(isRunning)).to.deep.equal([]);
    expect(await processesMentioning(runtimeDir)).to.deep.equal([]);
  });
});

describe('nginx driver as a non-root user', function () {
  this.timeout(60_000);
  let runtimeDir: string;
  let proxy: ProxyProcess | undefined;

  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // already non-root: the suite above covers it
  });

  after(async () => {
    await proxy?.stop(2000);
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  it('validates, starts, serves and stops as nobody, in a directory only nobody can write', async () => {
    runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-nobody-'));
    // setpriv execs nginx in place, so the pid the driver sees is still nginx's master.
    const wrapper = path.join(runtimeDir, 'nginx-as-nobody');
    await writeFile(
      wrapper,
      '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups /usr/sbin/nginx "$@"\n',
      { mode: 0o755 },
    );
    await chmod(runtimeDir, 0o755);
    await execa('chown', ['65534:65534', runtimeDir]);
    const driver = createNginxDriver({ binary: wrapper });
    const target = { bindAddress: ADDRESS, runtimeDir };
    const model = gatewayModel([port(PORT + 2, [host('*', [rule('any', 0, prefix('/'), fixed(204))])])]);
    await deploy(driver, model, target);
    proxy = await driver.start(driver.render(model, target), runtimeDir);
    expect((await readFile(`/proc/${proxy.pid}/status`, 'utf8')).match(/^Uid:\s+(\d+)/m)?.[1]).to.equal(
      '65534',
    );
    expect((await get('/', 'any.host', {}, PORT + 2)).status).to.equal(204);
    expect(await proxy.stop(5000)).to.deep.equal({ code: 0, signal: null });
    proxy = undefined;
  });
});

describe('nginx driver stop with a request in flight', function () {
  this.timeout(60_000);
  let backend: http.Server;
  let runtimeDir: string;
  let proxy: ProxyProcess | undefined;

  after(async () => {
    await proxy?.stop(2000);
    backend?.closeAllConnections();
    backend?.close();
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  it('kills master and workers once graceMs passes, leaving nothing behind', async () => {
    backend = await startEcho('hang');
    runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-kill-'));
    const hang = upstream('hang', 80, [['127.0.0.1', (backend.address() as AddressInfo).port]]);
    const base = gatewayModel(
      [port(PORT + 3, [host('*', [rule('hang', 0, prefix('/'), forward(to(hang.name)))])])],
      [hang],
    );
    // A drain far longer than graceMs, so only the forced path can end the stop.
    const model = { ...base, settings: { drainTimeoutSeconds: 600 } };
    const target = { bindAddress: ADDRESS, runtimeDir };
    await deploy(nginxDriver, model, target);
    proxy = await nginxDriver.start(nginxDriver.render(model, target), runtimeDir);
    const arrived = new Promise((resolve) => backend.once('request', resolve));
    const inFlight = get('/', 'any.host', { 'x-hang': '1' }, PORT + 3).catch((error: Error) => error);
    await arrived;
    const master = proxy.pid;
    const workers = childrenOf(master);
    // Killing the workers lets the quitting master exit on its own (code 0) unless our SIGKILL
    // reaches it first; either way the request still waiting on the backend was cut off, which a
    // graceful stop would not have done within 600 s.
    expect(await proxy.stop(300)).to.deep.be.oneOf([
      { code: 0, signal: null },
      { code: null, signal: 'SIGKILL' },
    ]);
    proxy = undefined;
    expect(await inFlight).to.be.instanceOf(Error);
    expect(() => process.kill(master, 0)).to.throw();
    expect([...workers, ...childrenOf(master)].filter(isRunning)).to.deep.equal([]);
    expect(await processesMentioning(runtimeDir)).to.deep.equal([]);
  });
});

describe('nginx driver Gateway API features with real nginx', function () {
  this.timeout(60_000);
  const address = '127.0.41.2';
  const ports = { http: 18080, alt: 8080, https: 18443 };
  // Port 80 needs root; without it the well-known-port redirect checks run on the others only.
  const privileged = process.getuid?.() === 0;
  let echo: http.Server;
  let runtimeDir: string;
  let proxy: ProxyProcess | undefined;
  let certs: FeatureOptions['certs'];

  const send = (path: string, hostHeader: string, options: Partial<Request> = {}) =>
    request({ address, port: ports.http, path, host: hostHeader, ...options });
  const status = async (path: string, headers: Record<string, string | string[]> = {}, method = 'GET') =>
    (await send(path, 'match.example.com', { headers, method })).status;
  const echoed = async (path: string, headers: Record<string, string> = {}): Promise<Echoed> => {
    const reply = await send(path, 'mod.example.com', { headers });
    expect(reply.status, reply.body).to.equal(200);
    return JSON.parse(reply.body) as Echoed;
  };

  before(async () => {
    echo = await startEcho('a');
    const [a, b, fallback] = await Promise.all([
      selfSigned('a', ['a.example.com']),
      selfSigned('b', ['*.b.example.com']),
      selfSigned('default', ['default.example.com']),
    ]);
    certs = { a, b, fallback };
    runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-features-'));
    const endpoint: [string, number] = ['127.0.0.1', (echo.address() as AddressInfo).port];
    const model = featureModel({ ports, privileged, echo: endpoint, certs });
    const target = { bindAddress: address, runtimeDir };
    await deploy(nginxDriver, model, target);
    proxy = await nginxDriver.start(nginxDriver.render(model, target), runtimeDir);
  });

  after(async () => {
    await proxy?.stop(2000);
    echo?.close();
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  describe('request conditions', () => {
    it('matches header values exactly and case-sensitively, names in any case, first line only', async () => {
      expect(await status('/v2/x', { version: 'two' })).to.equal(MATCHED.v2);
      expect(await status('/v2', { VERSION: 'two' })).to.equal(MATCHED.v2);
      expect(await status('/v2/x', { version: 'TWO' })).to.equal(MATCHED.otherwise);
      expect(await status('/v2/x', { version: ['one', 'two'] })).to.equal(MATCHED.otherwise);
      expect(await status('/hostile', { 'x-hostile': HOSTILE_VALUE })).to.equal(MATCHED.hostile);
      expect(
        await status('/hostile', { 'x-hostile': HOSTILE_VALUE.replace('$host', 'a.example.com') }),
      ).to.equal(MATCHED.otherwise);
    });

    it('falls through to the next candidate, even one with a shorter path', async () => {
      expect(await status('/v2/x')).to.equal(MATCHED.otherwise);
      expect(await status('/v2x', { version: 'two' })).to.equal(MATCHED.otherwise);
      expect(await status('/v2/x', { version: 'two', color: 'red' })).to.equal(MATCHED.v2);
      expect(await status('/v2/x', { color: 'red' })).to.equal(MATCHED.red);
    });

    it('matches an unanchored header regex', async () => {
      expect(await status('/x', { color: 'dark-reeed' })).to.equal(MATCHED.red);
      expect(await status('/x', { color: 'blue' })).to.equal(MATCHED.otherwise);
    });

    it('matches the method, and passes method, body and target through the dispatch', async () => {
      const reply = await send('/m?x=1&y=%20', 'match.example.com', {
        method: 'POST',
        body: Buffer.from('hello'),
      });
      expect(JSON.parse(reply.body)).to.include({
        backend: 'a',
        method: 'POST',
        url: '/m?x=1&y=%20',
        bodyBytes: 5,
      });
      expect(await status('/m')).to.equal(MATCHED.otherwise);
      expect(await status('/m', {}, 'PUT')).to.equal(MATCHED.otherwise);
    });

    it('runs split guards and redirects from the named location of a conditional rule', async () => {
      const statuses = new Set<number>();
      for (let i = 0; i < 40; i++) statuses.add(await status('/split', { 'x-split': 'yes' }));
      expect([...statuses].sort()).to.deep.equal([200, 500]);
      const moved = await send('/cond/x?q', 'match.example.com', { headers: { 'x-go': 'yes' } });
      expect([moved.status, moved.headers.location, moved.headers['x-conditional']]).to.deep.equal([
        302,
        'http://example.net:18080/cond/x?q',
        'yes',
      ]);
      expect(await status('/cond/x')).to.equal(MATCHED.otherwise);
    });

    it('matches query parameters by case-sensitive name and value, first occurrence only', async () => {
      const cases: [string, number][] = [
        ['/?animal=whale', MATCHED.whale],
        ['/x?a=1&animal=whale&b=2', MATCHED.whale],
        ['/?animal=Whale', MATCHED.otherwise],
        ['/?ANIMAL=whale', MATCHED.otherwise],
        ['/?xanimal=whale', MATCHED.otherwise],
        ['/?animal=dolphin&animal=whale', MATCHED.otherwise],
        ['/?ani-mal=dolphin', MATCHED.dolphin],
        ['/?ani-mal=a-dolphin', MATCHED.otherwise],
      ];
      for (const [target, expected] of cases) expect(await status(target), target).to.equal(expected);
    });
  });

  describe('header modifiers', () => {
    it('sets, adds and removes request headers, names in any case', async () => {
      expect(
        (await echoed('/set', { 'some-other-header': 'val', 'x-header-set': 'old' })).headers,
      ).to.include({
        'some-other-header': 'val',
        'x-header-set': 'set-overwrites-values',
      });
      expect((await echoed('/add')).headers).to.include({ 'x-header-add': 'add-appends-values' });
      expect((await echoed('/add', { 'X-Header-Add': 'some-other-value' })).headers).to.include({
        'x-header-add': 'some-other-value,add-appends-values',
      });
      expect((await echoed('/remove', { 'X-Header-Remove': 'val' })).headers).not.to.have.property(
        'x-header-remove',
      );
    });

    it('applies several changes at once and keeps Host and keep-alive', async () => {
      const reply = await echoed('/multiple', {
        'X-Header-Set-2': 'set-val-2',
        'X-Header-Add-2': 'add-val-2',
        'X-Header-Remove-2': 'remove-val-2',
        'Another-Header': 'another-header-val',
      });
      expect(reply.headers).to.include({
        'x-header-set-1': 'header-set-1',
        'x-header-set-2': 'header-set-2',
        'x-header-add-1': 'header-add-1',
        'x-header-add-2': 'add-val-2,header-add-2',
        'x-header-add-3': 'header-add-3',
        'another-header': 'another-header-val',
      });
      expect(reply.headers).not.to.have.any.keys('x-header-remove-1', 'x-header-remove-2');
      expect(reply).to.include({ host: 'mod.example.com', connection: null, url: '/multiple' });
      const lower = await echoed('/case', {
        'x-header-set': 'original-val-set',
        'x-header-add': 'original-val-add',
        'x-header-remove': 'original-val-remove',
      });
      expect(lower.headers).to.include({
        'x-header-set': 'header-set',
        'x-header-add': 'original-val-add,header-add',
      });
      expect(lower.headers).not.to.have.property('x-header-remove');
    });

    it('sends hostile values literally: no variable expands, no token breaks', async () => {
      expect((await echoed('/hostile')).headers).to.include({
        'x-hostile': HOSTILE_VALUE,
        'x-hostile-add': HOSTILE_VALUE,
      });
    });

    it('sets, adds and removes response headers', async () => {
      const reply = await send('/response', 'mod.example.com', {
        headers: {
          'x-echo-set-header': 'X-Resp-Set:old,X-Mixedcase-Add:orig,x-resp-remove:gone,X-Keep:kept',
        },
      });
      expect(reply.status).to.equal(200);
      expect(reply.headers).to.include({
        'x-resp-set': 'set',
        'x-mixedcase-add': 'orig, added',
        'x-resp-hostile': HOSTILE_VALUE,
        'x-keep': 'kept',
        'content-type': 'application/x-echo; charset=latin1',
      });
      expect(reply.headers).not.to.have.property('x-resp-remove');
      expect((JSON.parse(reply.body) as Echoed).headers).to.include({ 'x-header-set': 'set' });
    });
  });

  describe('redirects', () => {
    const location = async (target: string, listener = ports.http) => {
      const reply = await request({ address, port: listener, path: target, host: 'redir.example.com:1234' });
      return [reply.status, reply.headers.location];
    };

    it('redirects to another hostname, keeping the path, query and listener port', async () => {
      expect(await location('/hostname/x?q=1')).to.deep.equal([
        302,
        'http://example.org:18080/hostname/x?q=1',
      ]);
      expect(await location('/hostname?q', ports.alt)).to.deep.equal([
        302,
        'http://example.org:8080/hostname?q',
      ]);
      if (privileged)
        expect(await location('/hostname?q', 80)).to.deep.equal([302, 'http://example.org/hostname?q']);
      expect(await location('/status301')).to.deep.equal([301, 'http://example.org:18080/status301']);
      const reply = await request({
        address,
        port: ports.http,
        path: '/hostname',
        host: 'redir.example.com',
      });
      expect(reply.headers['x-redirected']).to.equal('yes');
    });

    it('changes scheme and port, omitting the well-known port of the scheme', async () => {
      expect(await location('/scheme/a?b')).to.deep.equal([302, 'https://redir.example.com/scheme/a?b']);
      expect(await location('/port')).to.deep.equal([302, 'http://redir.example.com:8083/port']);
      expect(await location('/port80?q')).to.deep.equal([302, 'http://redir.example.com/port80?q']);
    });

    it('replaces a path prefix element by element, or the full path, keeping the query', async () => {
      const cases: [string, string][] = [
        ['/prefix/lemon?x=1', '/replacement/lemon?x=1'],
        ['/prefix', '/replacement'],
        ['/prefix/', '/replacement/'],
        ['/strip/x/y', '/x/y'],
        ['/strip?q', '/?q'],
        ['/full/a/b?c=d', '/full-replacement?c=d'],
        ['/full?', '/full-replacement?'],
        ['/full', '/full-replacement'],
      ];
      for (const [target, path] of cases)
        expect(await location(target), target).to.deep.equal([302, `http://redir.example.com:18080${path}`]);
    });

    it('answers 303, 307 and 308 when asked', async () => {
      for (const code of [303, 307, 308])
        expect(await location(`/${code}/x`)).to.deep.equal([
          code,
          `http://redir.example.com:18080/${code}/x`,
        ]);
    });
  });

  describe('HTTPS', () => {
    it('picks the certificate by SNI, exact then wildcard, and the default one otherwise', async () => {
      expect(await handshake(address, ports.https, 'a.example.com')).to.deep.include({ cn: 'a' });
      expect(await handshake(address, ports.https, 'x.y.b.example.com')).to.deep.include({ cn: 'b' });
      expect(await handshake(address, ports.https, 'unknown.org')).to.deep.include({ cn: 'default' });
      expect(await handshake(address, ports.https, 'b.example.com')).to.deep.include({ cn: 'default' });
      expect(await handshake(address, ports.https)).to.deep.include({ cn: 'default' });
      expect((await handshake(address, ports.https, 'a.example.com')).protocol).to.be.oneOf([
        'TLSv1.2',
        'TLSv1.3',
      ]);
    });

    it('routes by Host once the handshake is done, and redirects with the https scheme', async () => {
      const tls = (servername: string, hostHeader: string, target = '/', ca = certs.a.cert) =>
        httpsRequest({ address, port: ports.https, servername, host: hostHeader, path: target, ca });
      expect(JSON.parse((await tls('a.example.com', 'a.example.com', '/x?y=1')).body)).to.include({
        backend: 'a',
        url: '/x?y=1',
      });
      expect((await tls('q.b.example.com', 'q.b.example.com', '/', certs.b.cert)).status).to.equal(
        TLS_STATUS.wildcardB,
      );
      expect((await tls('a.example.com', 'q.b.example.com')).status).to.equal(TLS_STATUS.wildcardB);
      expect((await tls('a.example.com', 'unknown.org')).status).to.equal(404);
      const moved = await tls('a.example.com', 'a.example.com', '/redirect/x?q');
      expect([moved.status, moved.headers.location]).to.deep.equal([
        302,
        'https://a.example.com:18443/redirect/x?q',
      ]);
    });
  });
});
