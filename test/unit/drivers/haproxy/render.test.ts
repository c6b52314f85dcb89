import { expect } from 'chai';
import { haproxyDriver } from '../../../../drivers/haproxy/index.js';
import { check, directives, removeDir, tempRuntimeDir } from './checker.js';
import {
  changes,
  endpoint,
  exact,
  fixed,
  forward,
  forwardWith,
  gateway,
  invalid,
  port,
  prefix,
  rule,
  target,
  to,
  upstream,
  vhost,
} from './fixtures.js';

const a = upstream('a', 80, [endpoint('127.0.0.1', 8081), endpoint('fd00::1', 8082)]);
const empty = upstream('empty', 80, []);

function sample(workers?: number) {
  return gateway(
    [
      port(
        8080,
        vhost(
          'a.example.com',
          rule('web', 0, exact('/exact'), forward(to(a, 3), invalid(1))),
          rule('web', 1, prefix('/foo'), fixed(500)),
        ),
        vhost('*.example.com', rule('web', 1, prefix('/foo'), fixed(500))),
        vhost('*', rule('all', 0, prefix('/'), forward(to(empty)))),
      ),
      port(9090, vhost('*', rule('all', 0, prefix('/'), forward(to(empty))))),
    ],
    [a, empty],
    workers === undefined ? {} : { workers },
  );
}

function render(model = sample(), runtimeDir = '/tmp/gp-run') {
  const config = haproxyDriver.render(model, target(runtimeDir));
  return { config, text: config.files[0]!.content };
}

describe('haproxy driver: render', () => {
  let dir: string;
  before(async () => (dir = await tempRuntimeDir()));
  after(() => removeDir(dir));

  it('returns haproxy.cfg as the only file without HTTPS, named as the main file', () => {
    const { config } = render();
    expect(config.driver).to.equal('haproxy');
    expect(config.main).to.equal('haproxy.cfg');
    expect(config.files.map((file) => file.path)).to.deep.equal(['haproxy.cfg']);
  });

  it('renders the same bytes and hash twice, and another hash for another target', () => {
    const first = render();
    const second = render();
    expect(second.text).to.equal(first.text);
    expect(second.config.hash).to.equal(first.config.hash);
    expect(render(sample(), '/tmp/other').config.hash).to.not.equal(first.config.hash);
  });

  it('serves its hash on the status socket in the runtime directory, from a variable a live update can set', () => {
    const { config, text } = render();
    expect(text).to.contain('bind "unix@/tmp/gp-run/status.sock" mode 600');
    expect(text).to.contain(`    set-var proc.gateplane_hash str(${config.hash})\n`);
    expect(text).to.contain(
      'http-request return status 200 content-type text/plain lf-string "%[var(proc.gateplane_hash)]"',
    );
  });

  it('keeps every runtime path in the runtime directory and never drops privileges or daemonizes', () => {
    const { text } = render();
    expect(text).to.contain('pidfile "/tmp/gp-run/haproxy.pid"');
    expect(text).to.contain('stats socket "/tmp/gp-run/admin.sock" mode 600 level admin expose-fd listeners');
    for (const keyword of ['daemon', 'user', 'group', 'chroot', 'uid', 'gid']) {
      expect(
        directives(text).some((line) => line.trim().split(' ')[0] === keyword),
        keyword,
      ).to.equal(false);
    }
  });

  it('turns drainTimeoutSeconds into hard-stop-after and workers into nbthread', () => {
    expect(render(sample(4)).text)
      .to.contain('hard-stop-after 5s')
      .and.contain('    nbthread 4\n');
    expect(render(sample()).text).to.not.contain('nbthread');
  });

  it('writes a fractional or zero drain timeout in milliseconds, never as "no limit"', () => {
    const drain = (seconds: number) =>
      haproxyDriver.render({ ...sample(), settings: { drainTimeoutSeconds: seconds } }, target('/tmp/gp-run'))
        .files[0]!.content;
    expect(drain(2.5)).to.contain('hard-stop-after 2500ms\n');
    expect(drain(0)).to.contain('hard-stop-after 1ms\n');
  });

  it('binds one frontend per port on the target address', () => {
    const { text } = render();
    expect(text).to.contain('frontend http-8080\n    bind "127.0.42.1:8080"\n');
    expect(text).to.contain('frontend http-9090\n    bind "127.0.42.1:9090"\n');
    const v6 = haproxyDriver.render(sample(), target('/tmp/gp-run', '::1')).files[0]!.content;
    expect(v6).to.contain('bind "[::1]:8080"');
  });

  it('matches exact hostnames with -m str, wildcards by suffix, and the catch-all unconditionally', () => {
    const { text } = render();
    const vhost = 'http-request set-var(txn.vhost)';
    expect(text).to.contain(
      `${vhost} int(0) if !{ var(txn.vhost) -m found } { var(txn.host) -m str -- "a.example.com" }\n`,
    );
    expect(text).to.contain(
      `${vhost} int(1) if !{ var(txn.vhost) -m found } { var(txn.host) -m end -- ".example.com" }\n`,
    );
    expect(text).to.contain(`${vhost} int(2) if !{ var(txn.vhost) -m found }\n`);
  });

  describe('routing steps a port does not need', () => {
    const web = upstream('web', 80, [endpoint('127.0.0.1', 8081)]);
    const other = upstream('other', 80, [endpoint('127.0.0.1', 8082)]);
    const textOf = (...hosts: ReturnType<typeof vhost>[]): string =>
      haproxyDriver.render(gateway([port(8080, ...hosts)], [other, web]), target('/tmp/gp-run')).files[0]!
        .content;
    const host = '{ req.fhdr(host),lower,regsub(:[0-9]+$,) -m str -- "a.example" }';

    it('routes one plain forward on one hostname with one use_backend line and no variable', () => {
      const text = textOf(vhost('a.example', rule('r', 0, prefix('/'), forward(to(web)))));
      expect(text).to.contain(`    use_backend default_web_80 if ${host}\n`);
      expect(text).to.contain('    default_backend no-route\n');
      expect(text).to.contain('backend no-route\n    http-request return status 404\n');
      expect(text).to.not.match(/set-var\(txn\./);
    });

    it('keeps first-match order: one use_backend per rule, in model order, on the shared Host variable', () => {
      const text = textOf(
        vhost(
          'a.example',
          rule('r', 0, exact('/x'), forward(to(other))),
          rule('r', 1, prefix('/'), forward(to(web))),
        ),
      );
      const hostVar = '{ var(txn.host) -m str -- "a.example" }';
      expect(text).to.contain(
        `    use_backend default_other_80 if ${hostVar} { path -m str -- "/x" }\n\n` +
          `    # route default/r rule 1 match 0 [default_r_r1_m0]\n    use_backend default_web_80 if ${hostVar}\n`,
      );
      expect(text).to.contain('http-request set-var(txn.host)');
      expect(text).to.not.contain('txn.vhost');
      expect(text).to.not.contain('txn.rule');
    });

    it('routes the catch-all alone with an unconditional use_backend', () => {
      const text = textOf(vhost('*', rule('r', 0, prefix('/'), forward(to(web)))));
      expect(text).to.contain('    use_backend default_web_80\n');
      expect(text).to.not.match(/set-var\(txn\./);
    });

    it('keeps the rule variable for every rule of a port where one rule has steps', () => {
      const text = textOf(
        vhost(
          'a.example',
          rule('r', 0, exact('/x'), forward(to(other))),
          rule(
            'r',
            1,
            prefix('/'),
            forwardWith({ request: changes([{ name: 'x-a', value: 'b' }]) }, to(web)),
          ),
        ),
      );
      expect(text).to.contain(
        'http-request set-var(txn.rule) str(default_r_r0_m0) if { var(txn.host) -m str -- "a.example" } !{ var(txn.rule) -m found } { path -m str -- "/x" }\n',
      );
      expect(text).to.contain('use_backend default_other_80 if { var(txn.rule) -m str default_r_r0_m0 }\n');
      expect(text).to.not.contain('no-route');
      expect(text).to.not.contain('txn.vhost');
    });
  });

  it('matches a path prefix element-wise and an exact path exactly', () => {
    const { text } = render();
    const selected = 'if { var(txn.vhost) -m int eq 0 } !{ var(txn.rule) -m found }';
    expect(text).to.contain(`str(default_web_r0_m0) ${selected} { path -m str -- "/exact" }\n`);
    // `/foo` + `/` and `/foo/bar` + `/` begin with `/foo/`, `/foobar` + `/` does not.
    expect(text).to.contain(`str(default_web_r1_m0) ${selected} { path,concat(/) -m beg -- "/foo/" }\n`);
    // PathPrefix `/` needs no path condition at all.
    expect(text).to.contain(
      'str(default_all_r0_m0) if { var(txn.vhost) -m int eq 2 } !{ var(txn.rule) -m found }\n',
    );
  });

  it('names the source route of every rule block in a comment', () => {
    expect(render().text).to.contain('    # route default/web rule 1 match 0 [default_web_r1_m0]\n');
  });

  it('declares the draw, answer and dispatch of a rule shared by two virtual hosts once', () => {
    const { text } = render();
    expect(text.match(/str\(default_web_r1_m0\) if/g)).to.have.length(2);
    expect(text.match(/http-request return status 500 if/g)).to.have.length(1);
  });

  it('splits by cumulative weight on one draw per request, sending invalid shares to a 500 backend', () => {
    const { text } = render();
    expect(text).to.contain(
      'http-request set-var(txn.pick) rand(4) if { var(txn.rule) -m str default_web_r0_m0 }',
    );
    expect(text).to.contain(
      'use_backend default_a_80 if { var(txn.rule) -m str default_web_r0_m0 } { var(txn.pick) -m int lt 3 }',
    );
    expect(text).to.contain(
      'use_backend invalid-backend if { var(txn.rule) -m str default_web_r0_m0 } { var(txn.pick) -m int lt 4 }',
    );
    expect(text).to.contain('backend invalid-backend\n    http-request return status 500\n');
  });

  it('answers 404 when no rule matched', () => {
    expect(render().text).to.contain('http-request return status 404 if !{ var(txn.rule) -m found }');
  });

  it('lists each endpoint as a server slot, with brackets around IPv6, then disabled placeholders', () => {
    const { text } = render();
    const placeholders = [2, 3, 4, 5, 6, 7].map((i) => `    server ep${i} "127.0.0.1:1" disabled\n`);
    expect(text).to.contain(
      `backend default_a_80\n    server ep0 "127.0.0.1:8081"\n    server ep1 "[fd00::1]:8082"\n${placeholders.join('')}\n`,
    );
  });

  it('gives an upstream without endpoints only disabled slots, so that HAProxy answers 503', () => {
    const { text } = render();
    const slots = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `    server ep${i} "127.0.0.1:1" disabled\n`);
    expect(text).to.match(new RegExp(`backend default_empty_80\\n( {4}#[^\\n]*\\n)*${slots.join('')}$`));
  });

  it('renders twice the endpoints, rounded up to a power of two and at least 8, as slots', () => {
    const slotsFor = (count: number): number => {
      const endpoints = Array.from({ length: count }, (_, i) => endpoint('127.0.0.1', 9000 + i));
      const up = upstream('many', 80, endpoints);
      const model = gateway([port(8080, vhost('*', rule('x', 0, prefix('/'), forward(to(up)))))], [up]);
      const text = haproxyDriver.render(model, target('/tmp/gp-run')).files[0]!.content;
      const lines = text
        .split('\nbackend default_many_80\n')[1]!
        .split('\n')
        .filter((l) => /^ {4}server /.test(l));
      expect(lines.filter((l) => !l.endsWith(' disabled'))).to.have.length(count);
      return lines.length;
    };
    expect([0, 1, 4, 5, 8, 9, 50, 64, 65].map(slotsFor)).to.deep.equal([8, 8, 8, 16, 16, 32, 128, 128, 256]);
  });

  it('matches a hostname that would close an anonymous condition as an anchored regular expression', () => {
    const model = gateway([port(8080, vhost('}', rule('x', 0, prefix('/'), fixed(500))))]);
    expect(render(model).text).to.contain('{ var(txn.host) -m reg -- "^\\\\}\\$" }');
  });

  it('refuses an endpoint address that is not an IP literal', () => {
    const bad = upstream('bad', 80, [{ family: 'IPv4', address: 'example.com', port: 80 }]);
    const model = gateway([port(8080, vhost('*', rule('x', 0, prefix('/'), forward(to(bad)))))], [bad]);
    expect(() => haproxyDriver.render(model, target('/tmp/gp-run')))
      .to.throw('render haproxy.cfg for default/gw')
      .with.property('cause')
      .that.has.property('message')
      .that.matches(/not an IPv4 address/);
  });

  it('gives a configuration haproxy -c accepts', async () => {
    const { config } = render(sample(2), dir);
    expect(await check(config, dir)).to.deep.equal({ ok: true });
  });

  it('gives a valid configuration with only the status endpoint for a model without ports', async () => {
    const config = haproxyDriver.render(gateway([], []), target(dir));
    expect(config.files[0]!.content).to.not.contain('frontend http-');
    expect(config.files[0]!.content).to.contain('frontend status');
    expect(await check(config, dir)).to.deep.equal({ ok: true });
  });
});
