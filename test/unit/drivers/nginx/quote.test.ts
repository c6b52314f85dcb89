import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { nginxDriver } from '../../../../drivers/nginx/index.js';
import { nginxComment, nginxQuote, nginxQuoteExpression } from '../../../../drivers/nginx/quote.js';
import { renderAndCheck } from './checker.js';
import {
  changes,
  exact,
  fixed,
  forwardWith,
  gatewayModel,
  HOSTILE_HEADER_VALUES,
  HOSTILE_PATHS,
  host,
  port,
  prefix,
  redirect,
  rule,
  to,
  upstream,
} from './fixtures.js';

/** Same idea as HOSTILE_PATHS, for server_name. */
const HOSTILE_HOSTNAMES = [
  'q"x;gateplane_injected;".example.com',
  'b{gateplane_injected}.example.com',
  'h #gateplane_injected.example.com',
  'd$host.example.com',
  's\\"gateplane_injected;.example.com',
  'sp ace.example.com',
];

const target = { bindAddress: '127.0.41.1', runtimeDir: '/tmp/unused' };

async function nginxTestsRaw(conf: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-raw-'));
  try {
    await writeFile(
      path.join(dir, 'raw.conf'),
      `pid "${dir}/nginx.pid";\nerror_log stderr;\nevents {}\n${conf}\n`,
    );
    const result = await execa(
      '/usr/sbin/nginx',
      ['-t', '-q', '-c', path.join(dir, 'raw.conf'), '-p', `${dir}/`],
      { reject: false },
    );
    return result.stderr;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('nginx quoting', () => {
  it('wraps in double quotes and escapes only backslash and double quote', () => {
    expect(nginxQuote('a.example.com')).to.equal('"a.example.com"');
    expect(nginxQuote('a"b\\c;{}#$ \'')).to.equal('"a\\"b\\\\c;{}#$ \'"');
    expect(nginxQuote('')).to.equal('""');
  });

  it('refuses NUL, CR and LF, which nginx cannot hold in a token or a comment', () => {
    for (const bad of ['/a\0b', '/a\nreturn 200;', '/a\rb']) {
      expect(() => nginxQuote(bad), JSON.stringify(bad)).to.throw(/cannot represent/);
      expect(() => nginxComment(bad), JSON.stringify(bad)).to.throw(/cannot represent/);
    }
  });

  it('keeps hostile paths and hostnames one token each, as nginx -t confirms', async () => {
    const rules = HOSTILE_PATHS.flatMap((p, i) => [
      rule('hostile', i, exact(p), fixed(200 + i)),
      rule('hostile', 100 + i, prefix(p), fixed(200 + i)),
    ]);
    const hosts = [
      host('a.example.com', rules),
      ...HOSTILE_HOSTNAMES.map((name) => host(name, [rule('h', 0, prefix('/'), fixed(200))])),
    ];
    const { config, result } = await renderAndCheck(gatewayModel([port(18080, hosts)]));
    expect(result).to.deep.equal({ ok: true });
    const conf = config.files[0]!.content;
    expect(conf).not.to.match(/^\s*gateplane_injected/m);
    for (const name of HOSTILE_HOSTNAMES) expect(conf).to.include(`server_name ${nginxQuote(name)};`);
  });

  it('would have caught every injecting payload left unquoted (the check above has teeth)', async () => {
    for (const payload of HOSTILE_PATHS.filter((p) => p.includes('gateplane_injected'))) {
      const stderr = await nginxTestsRaw(
        `http { server { listen 127.0.41.1:18099; location = ${payload} { return 200; } } }`,
      );
      expect(stderr, payload).to.match(/\[emerg\]/);
    }
  });

  it('writes complex values with `$` escaped, our variables braced and captures bare', () => {
    const expression = {
      parts: [{ text: 'a$b"c\\' }, { variable: 'http_host' }, { capture: 1 }, { text: '$1' }],
    };
    expect(nginxQuoteExpression(expression)).to.equal('"a${gp_dollar}b\\"c\\\\${http_host}$1${gp_dollar}1"');
    expect(() => nginxQuoteExpression({ parts: [{ variable: 'a}b' }] })).to.throw(/variable name/);
    expect(() => nginxQuoteExpression({ parts: [{ capture: 10 }] })).to.throw(/capture/);
    expect(() => nginxQuoteExpression({ parts: [{ text: 'a\nb' }] })).to.throw(/cannot represent/);
  });

  it('keeps hostile header names and values one token each, in every directive that takes them', async () => {
    const web = upstream('web', 80, [['127.0.0.1', 9000]]);
    // Header names are HTTP tokens, which may still hold `#`, `'`, `$` and other characters an
    // unquoted nginx token would misread.
    const names = ['X-A#gateplane_injected', "X-B'x'", 'X-C$host', 'X-D|~^*+.%&!`'];
    const rules = HOSTILE_HEADER_VALUES.flatMap((value, i) => {
      const name = names[i % names.length]!;
      const headers = {
        request: changes({ set: { [name]: value }, add: { [`X-Add-${i}`]: value }, remove: [`${name}-r`] }),
        response: changes({ set: { [name]: value }, add: { [`X-Add-${i}`]: value }, remove: [`${name}-r`] }),
      };
      return [
        rule('h', i, exact(`/h${i}`), forwardWith(headers, to(web.name))),
        rule(
          'r',
          i,
          exact(`/r${i}`),
          redirect({ hostname: value, path: { type: 'ReplaceFullPath', value } }),
        ),
        rule(
          'p',
          i,
          prefix(`/p${i}`),
          redirect({ path: { type: 'ReplacePrefixMatch', prefix: `/p${i}`, value } }),
        ),
      ];
    });
    const { config, result } = await renderAndCheck(
      gatewayModel([port(18080, [host('a.example.com', rules)])], [web]),
    );
    expect(result).to.deep.equal({ ok: true });
    expect(config.files[0]!.content).not.to.match(/^\s*gateplane_injected/m);
  });

  it('refuses at render time a line break in a path', () => {
    const model = gatewayModel([
      port(18080, [host('a.example.com', [rule('web', 0, exact('/a\nreturn 200 "x";'), fixed(200))])]),
    ]);
    expect(() => nginxDriver.render(model, target)).to.throw(/render nginx.conf for default\/gw/);
  });

  it('refuses hostnames that server_name would read as a regex, a suffix form or a variable', () => {
    for (const name of ['~^evil$', '.example.com', '$hostname', 'a.*.example.com', '*.']) {
      const model = gatewayModel([port(18080, [host(name, [])])]);
      expect(() => nginxDriver.render(model, target), name).to.throw(/render nginx.conf/);
    }
  });
});
