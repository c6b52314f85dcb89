/**
 * The HAProxy driver against a real HAProxy 2.6 on 127.0.42.1, with three node:http echo
 * backends: routing semantics, request matching, header changes, redirects, TLS by SNI, reload
 * with the same master, and a stop that leaves nothing. The Gateway is in
 * test/unit/drivers/haproxy/scenario.ts.
 */
import { writeFile } from 'node:fs/promises';
import http, { Agent } from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { ProxyProcess, RenderedConfig } from '../../../drivers/driver.js';
import { commitFiles, readServedHash, stageFiles } from '../../../drivers/deploy.js';
import { haproxyDriver } from '../../../drivers/haproxy/index.js';
import { removeDir, tempRuntimeDir } from '../../unit/drivers/haproxy/checker.js';
import * as f from '../../unit/drivers/haproxy/fixtures.js';
import {
  backendPort,
  makeCertificate,
  processesUsing,
  request,
  startBackend,
  stopBackend,
  type Reply,
  type RequestOptions,
} from '../../unit/drivers/haproxy/live.js';
import { MATCH_CASES, PORTS, REDIRECT_CASES } from '../../unit/drivers/haproxy/cases.js';
import {
  HOSTILE_PATH,
  HOSTILE_VALUE,
  ODD_HEADER,
  scenarioModel,
  type Scenario,
} from '../../unit/drivers/haproxy/scenario.js';

const ADDRESS = '127.0.42.1';
const PORT = PORTS.main;
const TLS_PORT = PORTS.tls;
/** Port 80 shows that a redirect leaves out the scheme's own port; only root may bind it. */
const LOW_PORT = process.getuid?.() === 0;
const HTTP_PORTS = [...(LOW_PORT ? [PORTS.low] : []), PORTS.alt, PORT];

type Options = Partial<Omit<RequestOptions, 'host'>>;
const get = (pathAndQuery: string, host: string, options: Options = {}): Promise<Reply> =>
  request(pathAndQuery, { address: ADDRESS, port: PORT, host, ...options });
const backendOf = async (pathAndQuery: string, host: string, options: Options = {}): Promise<string> => {
  const reply = await get(pathAndQuery, host, options);
  return reply.echo?.backend ?? String(reply.status);
};

/** What a deployer does: stage, validate, commit. */
async function deploy(config: RenderedConfig, runtimeDir: string): Promise<void> {
  stageFiles(config, runtimeDir);
  expect(await haproxyDriver.validate(config, runtimeDir)).to.deep.equal({ ok: true });
  commitFiles(config, runtimeDir);
}

describe('haproxy driver: a real proxy', function () {
  this.timeout(60_000);
  let dir: string;
  let servers: http.Server[] = [];
  let scenario: Scenario;
  let proxy: ProxyProcess | undefined;
  let first: RenderedConfig;

  async function backendsSeen(pathAndQuery: string, count: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const reply = await get(pathAndQuery, 'app.example.com');
      seen.add(reply.echo ? `${reply.status} ${reply.echo.backend}` : `${reply.status}`);
    }
    return seen;
  }

  before(async () => {
    dir = await tempRuntimeDir();
    servers = await Promise.all(['a', 'b', 'c'].map(startBackend));
    const [a, b, c] = servers.map((server, i) =>
      f.upstream('abc'[i]!, 80, [f.endpoint('127.0.0.1', backendPort(server))]),
    );
    const [secure, wild, fallback] = await Promise.all([
      makeCertificate('secure', 'secure.example.com'),
      makeCertificate('wild', '*.wild.example.com'),
      makeCertificate('fallback', 'fallback.example.com'),
    ]);
    scenario = {
      httpPorts: HTTP_PORTS,
      tlsPort: TLS_PORT,
      upstreams: { a: a!, b: b!, c: c!, empty: f.upstream('empty', 80, []) },
      certificates: {
        secure: f.certificate(secure),
        wild: f.certificate(wild),
        fallback: f.certificate(fallback),
      },
    };
    first = haproxyDriver.render(scenarioModel(scenario, false), f.target(dir, ADDRESS));
    await deploy(first, dir);
    proxy = await haproxyDriver.start(first, dir);
  });

  after(async () => {
    await proxy?.stop(1000);
    await Promise.all(servers.map(stopBackend));
    await removeDir(dir);
  });

  it('serves the started configuration hash on the status socket', async () => {
    expect(await readServedHash(dir)).to.equal(first.hash);
  });

  describe('routing', () => {
    it('routes by exact hostname, then by wildcard, and answers 404 for an unknown host', async () => {
      expect(await backendOf('/exact', 'app.example.com')).to.equal('a');
      expect(await backendOf('/exact', 'x.y.example.com')).to.equal('b');
      expect(await backendOf('/exact', 'other.test')).to.equal('404');
    });

    it('ignores the case and the port of the Host header', async () => {
      expect(await backendOf('/exact', `APP.Example.COM:${PORT}`)).to.equal('a');
    });

    it('does not let a wildcard match its own suffix', async () => {
      expect(await backendOf('/', 'example.com')).to.equal('404');
    });

    it('matches a path prefix element by element', async () => {
      expect(await backendOf('/foo', 'app.example.com')).to.equal('b');
      expect(await backendOf('/foo/bar', 'app.example.com')).to.equal('b');
      expect(await backendOf('/foobar', 'app.example.com')).to.equal('404');
    });

    it('matches an exact path only exactly, and answers 404 when no rule matches', async () => {
      expect(await backendOf('/exact/', 'app.example.com')).to.equal('404');
      expect(await backendOf('/nothing', 'app.example.com')).to.equal('404');
    });

    it('answers a fixedResponse rule with its status and an empty body', async () => {
      expect(await get('/fixed', 'app.example.com')).to.deep.include({ status: 500, body: '' });
    });

    it('answers 503 for an upstream without endpoints', async () => {
      expect(await backendOf('/empty', 'app.example.com')).to.equal('503');
    });

    it('spreads a 50/50 split over both backends', async () => {
      expect(await backendsSeen('/split', 60)).to.deep.equal(new Set(['200 a', '200 b']));
    });

    it('answers 500 for the share of an invalid backend', async () => {
      expect(await backendsSeen('/invalid', 60)).to.deep.equal(new Set(['200 a', '500']));
    });

    it('forwards the path, query and Host byte for byte, over HTTP/1.1', async () => {
      const reply = await get('/foo/bar?x=1&y=%20', `app.example.com:${PORT}`);
      expect(reply.echo).to.deep.include({
        backend: 'b',
        url: '/foo/bar?x=1&y=%20',
        host: `app.example.com:${PORT}`,
        httpVersion: '1.1',
      });
    });

    it('keeps the connection to the backend alive between requests', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const ports = new Set<number | undefined>();
        for (let i = 0; i < 5; i++)
          ports.add((await get('/exact', 'app.example.com', { agent })).echo?.remotePort);
        // HAProxy may take another idle connection from its pool for a request, but it reuses them.
        expect(ports.size).to.be.lessThan(5);
      } finally {
        agent.destroy();
      }
    });

    it('matches a path made of configuration syntax as the literal it is', async () => {
      expect((await get(HOSTILE_PATH, 'app.example.com')).echo).to.deep.include({
        backend: 'a',
        url: HOSTILE_PATH,
      });
    });
  });

  describe('request matching', () => {
    for (const c of MATCH_CASES) {
      it(c.name, async () => {
        const { method, headers } = c;
        const options = { ...(method ? { method } : {}), ...(headers ? { headers } : {}) };
        expect(await backendOf(c.path, 'match.example.com', options)).to.equal(c.backend);
      });
    }
  });

  describe('header changes', () => {
    const host = 'headers.example.com';
    const echoSets = { 'x-echo-set-header': 'X-Resp-Set:backend,X-Resp-Add:backend,X-Resp-Remove:gone' };

    it('sets, adds and removes request headers whatever the case the client used', async () => {
      const reply = await get('/', host, {
        headers: { 'x-header-set': 'old', 'X-HEADER-ADD': 'old', 'x-Header-Remove': 'r', other: 'keep' },
      });
      expect(reply.echo?.headers).to.deep.include({
        'x-header-set': 'set-value',
        'x-header-add': 'old,add-value',
        other: 'keep',
        'x-hostile': HOSTILE_VALUE,
        [ODD_HEADER]: 'odd',
      });
      expect(reply.echo?.headers).to.not.have.property('x-header-remove');
      expect(reply.echo?.host).to.equal(host);
    });

    it('adds a request header the client did not send', async () => {
      expect((await get('/', host)).echo?.headers).to.include({ 'x-header-add': 'add-value' });
    });

    it('sets, adds and removes response headers', async () => {
      const { headers } = await get('/', host, { headers: echoSets });
      expect(headers).to.include({
        'x-resp-set': 's',
        'x-resp-add': 'backend,a',
        'content-type': 'application/json',
      });
      expect(headers).to.not.have.property('x-resp-remove');
    });
  });

  describe('redirects', () => {
    for (const c of REDIRECT_CASES) {
      const run = c.port === PORTS.low && !LOW_PORT ? it.skip : it;
      run(c.name, async () => {
        const { port, method } = c;
        const reply = await get(c.path, `redirect.example.com:${port}`, {
          port,
          ...(method ? { method } : {}),
        });
        expect(`${reply.status} ${reply.headers.location}`).to.equal(c.expected);
      });
    }

    it('adds the response headers of the rule to the redirect', async () => {
      expect((await get('/hostname', 'redirect.example.com')).headers).to.include({ 'x-redirected': 'yes' });
    });
  });

  describe('HTTPS', () => {
    const tls = (servername: string): Options => ({ port: TLS_PORT, tls: { servername } });

    it('offers the certificate of the virtual host the SNI names, wildcards at any depth', async () => {
      const secure = await get('/', 'secure.example.com', tls('secure.example.com'));
      expect([secure.certificate, secure.echo?.backend]).to.deep.equal(['secure', 'a']);
      const wild = await get('/', 'a.b.wild.example.com', tls('a.b.wild.example.com'));
      expect([wild.certificate, wild.echo?.backend]).to.deep.equal(['wild', 'b']);
    });

    it('offers the default certificate for an unknown SNI or none, and routes by Host', async () => {
      const unknown = await get('/', 'unknown.test', tls('unknown.test'));
      expect([unknown.certificate, unknown.status]).to.deep.equal(['fallback', 404]);
      const none = await get('/', 'secure.example.com', tls(''));
      expect([none.certificate, none.echo?.backend]).to.deep.equal(['fallback', 'a']);
    });

    it('redirects with the https scheme and the listener port by default', async () => {
      const reply = await get('/hostname?q', 'redirect.example.com', tls('redirect.example.com'));
      expect(`${reply.status} ${reply.headers.location}`).to.equal(
        `302 https://example.org:${TLS_PORT}/hostname?q`,
      );
      const scheme = await get('/scheme', 'redirect.example.com', tls('redirect.example.com'));
      expect(scheme.headers.location).to.equal('https://redirect.example.com/scheme');
    });
  });

  describe('lifecycle', () => {
    it('reloads a new configuration in the same master', async () => {
      const pid = proxy!.pid;
      const second = haproxyDriver.render(scenarioModel(scenario, true), f.target(dir, ADDRESS));
      await deploy(second, dir);
      await proxy!.reload(second.hash);
      expect(await proxy!.confirm(second.hash, 10_000)).to.equal(true);
      expect(proxy!.pid).to.equal(pid);
      expect(await backendOf('/exact', 'other.test')).to.equal('a');
      // The new workers took over the TLS sockets between the SNI router and the HTTPS frontend.
      const tls = { port: TLS_PORT, tls: { servername: 'x.wild.example.com' } };
      const reply = await get('/', 'x.wild.example.com', tls);
      expect([reply.certificate, reply.echo?.backend]).to.deep.equal(['wild', 'b']);
    });

    it('keeps serving the previous configuration when a reload fails', async () => {
      const served = await readServedHash(dir);
      // Bypass validate, as a configuration that only fails at load time would.
      await writeFile(
        path.join(dir, 'haproxy.cfg'),
        `frontend broken\n    bind "${ADDRESS}:${PORT}"\n    retrun 200\n`,
      );
      let error: unknown;
      await proxy!.reload('broken').catch((caught: unknown) => (error = caught));
      expect(error)
        .to.be.instanceOf(Error)
        .with.property('message')
        .that.contains('kept its previous configuration');
      expect(await readServedHash(dir)).to.equal(served);
      expect(await backendOf('/exact', 'app.example.com')).to.equal('a');
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
});

describe('haproxy driver: a stop that outlasts its grace period', function () {
  this.timeout(30_000);
  let dir: string;
  let proxy: ProxyProcess | undefined;
  let silent: http.Server | undefined;
  let received: Promise<void>;

  before(async () => {
    dir = await tempRuntimeDir();
    // A backend that never answers keeps a request in flight through the soft stop.
    const server = http.createServer(() => undefined);
    silent = server;
    received = new Promise((resolve) => server.once('request', () => resolve()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hang = f.upstream('hang', 80, [f.endpoint('127.0.0.1', backendPort(server))]);
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
    await stopBackend(silent);
    await removeDir(dir);
  });

  it('kills the master and its workers, leaving nothing running', async () => {
    const pending = get('/', 'any.test', { port: PORT + 1 }).catch(() => undefined);
    await received;
    const exit = await proxy!.stop(200);
    proxy = undefined;
    expect(exit.signal).to.equal('SIGKILL');
    expect(processesUsing(dir)).to.deep.equal([]);
    await pending;
  });
});
