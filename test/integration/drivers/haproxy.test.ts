/**
 * The HAProxy driver against a real HAProxy 2.6 on 127.0.42.1:18080, with two node:http
 * backends: routing semantics, reload with the same master, and a stop that leaves nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import type { ProxyProcess, RenderedConfig } from '../../../drivers/driver.js';
import { commitFiles, readServedHash, stageFiles, waitForServedHash } from '../../../drivers/deploy.js';
import { haproxyDriver } from '../../../drivers/haproxy/index.js';
import type { GatewayModel, Upstream } from '../../../operator/model/types.js';
import { removeDir, tempRuntimeDir } from '../../unit/drivers/haproxy/checker.js';
import * as f from '../../unit/drivers/haproxy/fixtures.js';

const ADDRESS = '127.0.42.1';
const PORT = 18080;
/** A path full of characters that mean something in haproxy.cfg, all of which HAProxy accepts in a request. */
const HOSTILE_PATH = `/h$'"{};|#x`.replace('#', '%23');

interface Reply {
  readonly status: number;
  readonly body: string;
  /** What the backend saw, when a backend answered. */
  readonly echo?: { backend: string; url: string; host: string; httpVersion: string; remotePort: number };
}

function request(
  pathAndQuery: string,
  host: string,
  via: { agent?: http.Agent; port?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: ADDRESS,
        port: via.port ?? PORT,
        path: pathAndQuery,
        headers: { host },
        agent: via.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const echo =
            res.headers['content-type'] === 'application/json'
              ? (JSON.parse(body) as Reply['echo'])
              : undefined;
          resolve({ status: res.statusCode ?? 0, body, ...(echo ? { echo } : {}) });
        });
      },
    );
    req.on('error', reject);
  });
}

async function startBackend(name: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const { httpVersion, url, headers, socket } = req;
    res.end(
      JSON.stringify({ backend: name, url, host: headers.host, httpVersion, remotePort: socket.remotePort }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function backendPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

/** What a deployer does: stage, validate, commit. */
async function deploy(config: RenderedConfig, runtimeDir: string): Promise<void> {
  await stageFiles(config, runtimeDir);
  expect(await haproxyDriver.validate(config, runtimeDir)).to.deep.equal({ ok: true });
  await commitFiles(config, runtimeDir);
}

/** Processes whose command line names the runtime directory: HAProxy masters and workers. */
function processesUsing(runtimeDir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(runtimeDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('haproxy driver: a real proxy', function () {
  this.timeout(30_000);
  let dir: string;
  let backendA: http.Server;
  let backendB: http.Server;
  let a: Upstream;
  let b: Upstream;
  const empty = f.upstream('empty', 80, []);
  let proxy: ProxyProcess | undefined;
  let first: RenderedConfig;

  /** The first model; `withCatchAll` is the change the reload brings. */
  function model(withCatchAll: boolean): GatewayModel {
    const app = f.vhost(
      'app.example.com',
      f.rule('app', 0, f.exact('/exact'), f.forward(f.to(a))),
      f.rule('app', 1, f.prefix('/foo'), f.forward(f.to(b))),
      f.rule('app', 2, f.prefix('/fixed'), f.fixed(500)),
      f.rule('app', 3, f.prefix('/split'), f.forward(f.to(a, 1), f.to(b, 1))),
      f.rule('app', 4, f.prefix('/invalid'), f.forward(f.to(a, 1), f.invalid(1))),
      f.rule('app', 5, f.prefix('/empty'), f.forward(f.to(empty))),
      f.rule('app', 6, f.exact(HOSTILE_PATH), f.forward(f.to(a))),
    );
    const wildcard = f.vhost('*.example.com', f.rule('wild', 0, f.prefix('/'), f.forward(f.to(b))));
    const hosts = withCatchAll
      ? [app, wildcard, f.vhost('*', f.rule('any', 0, f.prefix('/'), f.forward(f.to(a))))]
      : [app, wildcard];
    return f.gateway([f.port(PORT, ...hosts)], [a, b, empty]);
  }

  async function statuses(pathAndQuery: string, count: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const reply = await request(pathAndQuery, 'app.example.com');
      seen.add(reply.echo ? `${reply.status} ${reply.echo.backend}` : `${reply.status}`);
    }
    return seen;
  }

  before(async () => {
    dir = await tempRuntimeDir();
    [backendA, backendB] = await Promise.all([startBackend('a'), startBackend('b')]);
    a = f.upstream('a', 80, [f.endpoint('127.0.0.1', backendPort(backendA))]);
    b = f.upstream('b', 80, [f.endpoint('127.0.0.1', backendPort(backendB))]);
    first = haproxyDriver.render(model(false), f.target(dir, ADDRESS));
    await deploy(first, dir);
    proxy = await haproxyDriver.start(first, dir);
  });

  after(async () => {
    await proxy?.stop(1000);
    await Promise.all([backendA, backendB].map((server) => new Promise((resolve) => server?.close(resolve))));
    await removeDir(dir);
  });

  it('serves the started configuration hash on the status socket', async () => {
    expect(await readServedHash(dir)).to.equal(first.hash);
  });

  it('routes by exact hostname, then by wildcard, and answers 404 for an unknown host', async () => {
    expect((await request('/exact', 'app.example.com')).echo?.backend).to.equal('a');
    expect((await request('/exact', 'x.y.example.com')).echo?.backend).to.equal('b');
    expect((await request('/exact', 'other.test')).status).to.equal(404);
  });

  it('ignores the case and the port of the Host header', async () => {
    expect((await request('/exact', `APP.Example.COM:${PORT}`)).echo?.backend).to.equal('a');
  });

  it('does not let a wildcard match its own suffix', async () => {
    expect((await request('/', 'example.com')).status).to.equal(404);
  });

  it('matches a path prefix element by element', async () => {
    expect((await request('/foo', 'app.example.com')).echo?.backend).to.equal('b');
    expect((await request('/foo/bar', 'app.example.com')).echo?.backend).to.equal('b');
    expect((await request('/foobar', 'app.example.com')).status).to.equal(404);
  });

  it('matches an exact path only exactly, and answers 404 when no rule matches', async () => {
    expect((await request('/exact/', 'app.example.com')).status).to.equal(404);
    expect((await request('/nothing', 'app.example.com')).status).to.equal(404);
  });

  it('answers a fixedResponse rule with its status and an empty body', async () => {
    expect(await request('/fixed', 'app.example.com')).to.deep.equal({ status: 500, body: '' });
  });

  it('answers 503 for an upstream without endpoints', async () => {
    expect((await request('/empty', 'app.example.com')).status).to.equal(503);
  });

  it('spreads a 50/50 split over both backends', async () => {
    expect(await statuses('/split', 60)).to.deep.equal(new Set(['200 a', '200 b']));
  });

  it('answers 500 for the share of an invalid backend', async () => {
    expect(await statuses('/invalid', 60)).to.deep.equal(new Set(['200 a', '500']));
  });

  it('forwards the path, query and Host byte for byte', async () => {
    const reply = await request('/foo/bar?x=1&y=%20', `app.example.com:${PORT}`);
    expect(reply.echo).to.deep.include({
      backend: 'b',
      url: '/foo/bar?x=1&y=%20',
      host: `app.example.com:${PORT}`,
    });
  });

  it('keeps the connection to the backend alive over HTTP/1.1 between requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const replies = [];
      for (let i = 0; i < 5; i++) replies.push(await request('/exact', 'app.example.com', { agent }));
      expect(new Set(replies.map((reply) => reply.echo?.httpVersion))).to.deep.equal(new Set(['1.1']));
      // HAProxy may take another idle connection from its pool for a request, but it reuses them.
      expect(new Set(replies.map((reply) => reply.echo?.remotePort)).size).to.be.lessThan(replies.length);
    } finally {
      agent.destroy();
    }
  });

  it('matches a path made of configuration syntax as the literal it is', async () => {
    expect((await request(HOSTILE_PATH, 'app.example.com')).echo).to.deep.include({
      backend: 'a',
      url: HOSTILE_PATH,
    });
  });

  it('reloads a new configuration in the same master', async () => {
    const pid = proxy!.pid;
    const second = haproxyDriver.render(model(true), f.target(dir, ADDRESS));
    await deploy(second, dir);
    await proxy!.reload();
    expect(await waitForServedHash(dir, second.hash, 10_000)).to.equal(true);
    expect(proxy!.pid).to.equal(pid);
    expect((await request('/exact', 'other.test')).echo?.backend).to.equal('a');
  });

  it('keeps serving the previous configuration when a reload fails', async () => {
    const served = await readServedHash(dir);
    // Bypass validate, as a configuration that only fails at load time would.
    await writeFile(
      path.join(dir, 'haproxy.cfg'),
      'frontend broken\n    bind "127.0.42.1:18080"\n    retrun 200\n',
    );
    let error: unknown;
    await proxy!.reload().catch((caught: unknown) => (error = caught));
    expect(error)
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.contains('kept its previous configuration');
    expect(await readServedHash(dir)).to.equal(served);
    expect((await request('/exact', 'app.example.com')).echo?.backend).to.equal('a');
  });

  it('stops gracefully with no master or worker left', async () => {
    const pid = proxy!.pid;
    expect(processesUsing(dir).length).to.be.greaterThan(1);
    const exit = await proxy!.stop(5000);
    proxy = undefined;
    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(() => process.kill(pid, 0)).to.throw();
    expect(processesUsing(dir)).to.deep.equal([]);
  });

  it('rejects a start whose configuration does not load, with the alert, and leaves nothing running', async () => {
    const broken = { ...first, hash: 'never-served' };
    await writeFile(path.join(dir, 'haproxy.cfg'), 'frontend broken\n    retrun 200\n');
    let error: unknown;
    await haproxyDriver.start(broken, dir).then(
      (started) => (proxy = started),
      (caught: unknown) => (error = caught),
    );
    expect(error).to.be.instanceOf(Error).with.property('message').that.contains('ALERT');
    expect(processesUsing(dir)).to.deep.equal([]);
  });
});

describe('haproxy driver: a stop that outlasts its grace period', function () {
  this.timeout(30_000);
  let dir: string;
  let proxy: ProxyProcess | undefined;
  let received: Promise<void>;
  // A backend that never answers keeps a request in flight through the soft stop.
  const silent = http.createServer(() => undefined);

  before(async () => {
    dir = await tempRuntimeDir();
    received = new Promise((resolve) => silent.once('request', () => resolve()));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hang = f.upstream('hang', 80, [f.endpoint('127.0.0.1', backendPort(silent))]);
    const model = f.gateway(
      [f.port(PORT + 1, f.vhost('*', f.rule('hang', 0, f.prefix('/'), f.forward(f.to(hang)))))],
      [hang],
    );
    const config = haproxyDriver.render(model, f.target(dir, ADDRESS));
    await deploy(config, dir);
    proxy = await haproxyDriver.start(config, dir);
  });

  after(async () => {
    await proxy?.stop(0);
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    await removeDir(dir);
  });

  it('kills the master and its workers, leaving nothing running', async () => {
    const pending = request('/', 'any.test', { port: PORT + 1 }).catch(() => undefined);
    await received;
    const exit = await proxy!.stop(200);
    proxy = undefined;
    expect(exit.signal).to.equal('SIGKILL');
    expect(processesUsing(dir)).to.deep.equal([]);
    await pending;
  });
});
