import { expect } from 'chai';
import { haproxyDriver } from '../../../../drivers/haproxy/index.js';
import { check, removeDir, tempRuntimeDir } from './checker.js';
import {
  certificate,
  changes,
  equals,
  exact,
  endpoint,
  forward,
  forwardWith,
  gateway,
  httpsPort,
  port,
  prefix,
  redirect,
  regex,
  rule,
  target,
  tlsVhost,
  to,
  upstream,
  vhost,
} from './fixtures.js';

const a = upstream('a', 80, [endpoint('127.0.0.1', 8081)]);
const render = (model: ReturnType<typeof gateway>, runtimeDir = '/tmp/gp-run') =>
  haproxyDriver.render(model, target(runtimeDir));
const text = (model: ReturnType<typeof gateway>) => render(model).files[0]!.content;
/** The line of a rule in a port whose rules all forward to one backend, on its only virtual host `*`. */
const routed = (backend: string) => `use_backend ${backend} if`;

describe('haproxy driver: request matching', () => {
  const model = gateway(
    [
      port(
        8080,
        vhost(
          '*',
          rule(
            'm',
            0,
            {
              path: exact('/q'),
              method: 'PATCH',
              headers: [equals('version', 'two'), regex('x-re', 'a.+b')],
              queryParams: [equals('animal', 'whale'), regex('Color', '^bl')],
            },
            forward(to(a)),
          ),
          rule(
            'm',
            1,
            { path: prefix('/'), headers: [equals('version', '}'), regex('x-re', '}')] },
            forward(to(a)),
          ),
        ),
      ),
    ],
    [a],
  );

  it('reads the first value of each header and query parameter once, into a variable', () => {
    const config = text(model);
    expect(config).to.contain('    http-request set-var(txn.h0) "req.fhdr(\\"version\\",1)"\n');
    expect(config).to.contain('    http-request set-var(txn.h1) "req.fhdr(\\"x-re\\",1)"\n');
    expect(config).to.contain('    http-request set-var(txn.q0) "url_param(\\"animal\\")"\n');
    expect(config).to.contain('    http-request set-var(txn.q1) "url_param(\\"Color\\")"\n');
    expect(config.match(/set-var\(txn\.h0\)/g)).to.have.length(1);
  });

  it('puts every condition of a match on the rule line: path, method, headers, query', () => {
    expect(text(model)).to.contain(
      `[default_m_r0_m0]\n    ${routed(a.name)} { path -m str -- "/q" } { method -m str -- "PATCH" }` +
        ' { var(txn.h0) -m str -- "two" } { var(txn.h1) -m reg -- "a.+b" }' +
        ' { var(txn.q0) -m str -- "whale" } { var(txn.q1) -m reg -- "^bl" }\n',
    );
  });

  it('writes a value of "}" as a regular expression, which cannot close the condition', () => {
    expect(text(model)).to.contain(
      `[default_m_r1_m0]\n    ${routed(a.name)} { var(txn.h0) -m reg -- "^\\\\}\\$" } { var(txn.h1) -m reg -- "\\\\}" }\n`,
    );
  });

  it('gives a configuration haproxy -c accepts', async () => {
    const dir = await tempRuntimeDir();
    try {
      expect(await check(render(model, dir), dir)).to.deep.equal({ ok: true });
    } finally {
      await removeDir(dir);
    }
  });
});

describe('haproxy driver: header changes and redirects', () => {
  const headers = forwardWith(
    {
      request: changes(
        [{ name: 'X-Set', value: '100% "sure"' }],
        [{ name: 'X-Add', value: 'v' }],
        ['X-Gone'],
      ),
      response: changes(
        [{ name: 'X-R-Set', value: 's' }],
        [{ name: 'X-R-Add', value: '%[path]' }],
        ['Server'],
      ),
    },
    to(a),
  );
  const moved = redirect(
    { statusCode: 301, hostname: 'example.org' },
    changes([{ name: 'X-Why', value: 'moved' }]),
  );
  const model = gateway(
    [
      port(8080, vhost('*', rule('h', 0, prefix('/h'), headers), rule('r', 0, prefix('/r'), moved))),
      port(80, vhost('*', rule('r', 0, prefix('/r'), moved))),
    ],
    [a],
  );

  it('sets, adds and removes request headers in that order, escaping % for log-format', () => {
    const when = 'if { var(txn.rule) -m str default_h_r0_m0 }';
    expect(text(model)).to.contain(
      [
        '    # route default/h rule 0 match 0 [default_h_r0_m0]',
        `    http-request set-header "X-Set" "100%% \\"sure\\"" ${when}`,
        `    http-request add-header "X-Add" "v" ${when}`,
        `    http-request del-header "X-Gone" ${when}`,
      ].join('\n'),
    );
  });

  it('changes response headers with http-after-response, which also covers answers of HAProxy itself', () => {
    const when = 'if { var(txn.rule) -m str default_h_r0_m0 }';
    expect(text(model))
      .to.contain(`    http-after-response set-header "X-R-Set" "s" ${when}\n`)
      .and.contain(`    http-after-response add-header "X-R-Add" "%%[path]" ${when}\n`)
      .and.contain(`    http-after-response del-header "Server" ${when}\n`);
  });

  it('redirects with the location and code of the rule, once per port with that port as default', () => {
    const when = 'if { var(txn.rule) -m str default_r_r0_m0 }';
    const config = text(model);
    expect(config).to.contain(
      `    http-request redirect location "http://example.org:8080%[path]%[url,regsub(^[^?]*,)]" code 301 ${when}\n` +
        `    http-after-response set-header "X-Why" "moved" ${when}\n`,
    );
    expect(config).to.contain(
      `    http-request redirect location "http://example.org%[path]%[url,regsub(^[^?]*,)]" code 301 ${when}\n`,
    );
  });

  it('gives a configuration haproxy -c accepts', async () => {
    const dir = await tempRuntimeDir();
    try {
      expect(await check(render(model, dir), dir)).to.deep.equal({ ok: true });
    } finally {
      await removeDir(dir);
    }
  });
});

describe('haproxy driver: HTTPS', () => {
  // Not real certificates: render never parses them (the checker does, in tls.test.ts).
  const one = certificate('one');
  const two = certificate('two');
  const fallback = certificate('fallback');
  const serve = rule('s', 0, prefix('/'), forward(to(a)));
  const model = gateway(
    [
      httpsPort(
        8443,
        [
          tlsVhost('a.example.com', [one], serve),
          tlsVhost('*.example.com', [two, one], serve),
          tlsVhost('b.example.com', [one], serve),
          tlsVhost('*', [fallback], serve),
        ],
        fallback.id,
      ),
    ],
    [a],
    { certificates: [one, two, fallback] },
  );

  it('writes each certificate to a content-addressed file only its owner can read', () => {
    const files = render(model).files.slice(1);
    expect(files).to.deep.equal(
      [one, two, fallback]
        .sort((x, y) => (x.id < y.id ? -1 : 1))
        .map((c) => ({ path: `certs/${c.id}.pem`, content: c.pem, mode: 0o600 })),
    );
  });

  it('routes the ClientHello by SNI like the Host header, to one socket per certificate set', () => {
    expect(text(model)).to.contain(
      [
        'frontend tls-8443',
        '    mode tcp',
        '    bind "127.0.42.1:8443"',
        '    # Wait for the whole ClientHello before reading its SNI.',
        '    tcp-request inspect-delay 5s',
        '    tcp-request content accept if { req.ssl_hello_type 1 }',
        '    # virtual host 0: "a.example.com"',
        '    use_backend tls-8443-0 if { req.ssl_sni,lower -m str -- "a.example.com" }',
        '    # virtual host 1: "*.example.com"',
        '    use_backend tls-8443-1 if { req.ssl_sni,lower -m end -- ".example.com" }',
        '    # virtual host 2: "b.example.com"',
        '    use_backend tls-8443-0 if { req.ssl_sni,lower -m str -- "b.example.com" }',
        '    # virtual host 3: "*"',
        '    use_backend tls-8443-2 if { req.ssl_sni -m found }',
        '    # No SNI, or one no virtual host matches.',
        '    default_backend tls-8443-2',
        '',
        'backend tls-8443-0',
        '    mode tcp',
        '    server hop "unix@/tmp/gp-run/tls-8443-0.sock" send-proxy-v2',
      ].join('\n'),
    );
  });

  it('terminates TLS 1.2 and later on those sockets, each with its certificates in order', () => {
    const crt = (c: { id: string }) => `crt "/tmp/gp-run/certs/${c.id}.pem"`;
    const tls = 'ssl-min-ver TLSv1.2';
    expect(text(model)).to.contain(
      [
        'frontend https-8443',
        `    bind "unix@/tmp/gp-run/tls-8443-0.sock" mode 600 accept-proxy ssl ${crt(one)} ${tls}`,
        `    bind "unix@/tmp/gp-run/tls-8443-1.sock" mode 600 accept-proxy ssl ${crt(two)} ${crt(one)} ${tls}`,
        `    bind "unix@/tmp/gp-run/tls-8443-2.sock" mode 600 accept-proxy ssl ${crt(fallback)} ${tls}`,
      ].join('\n'),
    );
  });

  it('redirects to https on the HTTPS port by default', () => {
    const https = gateway(
      [httpsPort(8443, [tlsVhost('*', [one], rule('r', 0, prefix('/'), redirect({ statusCode: 302 })))])],
      [],
      { certificates: [one] },
    );
    expect(text(https)).to.contain('redirect location "https://%[var(txn.host)]:8443%[path]');
  });

  it('refuses a certificate the model does not list, an id that is no sha256, or a port without any', () => {
    const refuses = (m: ReturnType<typeof gateway>, reason: string) =>
      expect(() => render(m))
        .to.throw(Error)
        .with.property('cause')
        .with.property('message')
        .that.contains(reason);
    const bare = (...hosts: ReturnType<typeof tlsVhost>[]) => httpsPort(8443, hosts);
    refuses(gateway([bare(tlsVhost('*', [one], serve))], [a]), 'unknown certificate');
    const bad = { id: 'not-a-sha256', pem: 'x' };
    refuses(gateway([bare(tlsVhost('*', [bad], serve))], [a], { certificates: [bad] }), 'is not a sha256');
    refuses(gateway([bare(tlsVhost('*', [], serve))], [a]), 'has no certificate');
  });
});
