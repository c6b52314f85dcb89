import { expect } from 'chai';
import { nginxDriver } from '../../../../drivers/nginx/index.js';
import type { GatewayModel, Redirect, RuleAction } from '../../../../operator/model/types.js';
import { renderAndCheck } from './checker.js';
import {
  certificate,
  changes,
  exact,
  fixed,
  forwardWith,
  gatewayModel,
  header,
  host,
  httpsPort,
  port,
  prefix,
  redirect,
  rule,
  to,
  upstream,
} from './fixtures.js';

const target = { bindAddress: '127.0.41.1', runtimeDir: '/srv/gateplane/default/gw' };
const web = upstream('web', 80, [['10.0.0.1', 8080]]);

const dummy = certificate('not read by render');

/** The block serving `/p` for a single rule with `action`, on listener port `n`. */
function served(action: RuleAction, n: number, protocol: 'HTTP' | 'HTTPS' = 'HTTP'): string {
  const hosts = [
    host('a.example.com', [rule('x', 0, exact('/p'), action)], protocol === 'HTTPS' ? [dummy] : []),
  ];
  const listener = protocol === 'HTTPS' ? httpsPort(n, hosts, dummy) : port(n, hosts);
  const conf = nginxDriver.render(gatewayModel([listener], [web], [dummy]), target).files[0]!.content;
  const start = conf.indexOf('location = "/p" {');
  return conf.slice(start, conf.indexOf('\n        }', start));
}

const modifyingModel = (): GatewayModel =>
  gatewayModel(
    [
      port(18080, [
        host('a.example.com', [
          rule(
            'h',
            0,
            { path: prefix('/'), headers: [header('version', 'two')] },
            forwardWith(
              {
                request: changes({
                  set: { 'X-Set': 'v$1 "q"' },
                  add: { 'X-Add': 'added' },
                  remove: ['X-Gone'],
                }),
                response: changes({ set: { 'X-Resp': 'r' }, add: { 'X-Extra': 'e' }, remove: ['X-Secret'] }),
              },
              to(web.name),
            ),
          ),
          rule(
            'h',
            1,
            prefix('/'),
            forwardWith({ request: changes({ set: { host: 'backend.internal' } }) }, to(web.name)),
          ),
        ]),
      ]),
    ],
    [web],
  );

describe('nginx actions', () => {
  describe('header modifiers', () => {
    it('sets, adds (client value then ours) and removes request headers, repeating the defaults', () => {
      expect(nginxDriver.render(modifyingModel(), target).files[0]!.content).to.include(
        [
          'location @default_h_r0_m0 {',
          '            proxy_set_header "Host" "${http_host}";',
          '            proxy_set_header "Connection" "";',
          '            proxy_set_header "X-Set" "v${gp_dollar}1 \\"q\\"";',
          '            proxy_set_header "X-Add" "${http_x_add}";',
          '            proxy_set_header "X-Add" "added";',
          '            proxy_set_header "X-Gone" "";',
          '            proxy_hide_header "X-Resp";',
          '            proxy_hide_header "X-Secret";',
          '            add_header "X-Resp" "r" always;',
          '            add_header "X-Extra" "e" always;',
          '            proxy_pass http://default_web_80;',
        ].join('\n'),
      );
    });

    it('lets a route replace a default request header instead of sending it twice', () => {
      const conf = nginxDriver.render(modifyingModel(), target).files[0]!.content;
      expect(conf).to.match(
        /location "\/" \{[^}]+\}\n\s+proxy_set_header "Connection" "";\n\s+proxy_set_header "host" "backend.internal";\n\s+proxy_pass/,
      );
    });

    it('is accepted by nginx -t', async () => {
      expect((await renderAndCheck(modifyingModel())).result).to.deep.equal({ ok: true });
    });
  });

  describe('redirects', () => {
    const cases: {
      name: string;
      redirect: Partial<Redirect>;
      listener: number;
      https?: boolean;
      expected: string;
    }[] = [
      {
        name: 'keeps scheme, host and raw target, omitting port 80',
        redirect: {},
        listener: 80,
        expected: 'return 302 "http://${host}${request_uri}";',
      },
      {
        name: 'keeps the listener port when it is not well known',
        redirect: { hostname: 'example.org' },
        listener: 18080,
        expected: 'return 302 "http://example.org:18080${request_uri}";',
      },
      {
        name: 'takes the scheme of an HTTPS listener',
        redirect: {},
        listener: 443,
        https: true,
        expected: 'return 302 "https://${host}${request_uri}";',
      },
      {
        name: 'uses the well-known port of a scheme the redirect names',
        redirect: { scheme: 'https' },
        listener: 18080,
        expected: 'return 302 "https://${host}${request_uri}";',
      },
      {
        name: 'prints a port the redirect names unless it is the scheme default',
        redirect: { port: 8083, statusCode: 301 },
        listener: 80,
        expected: 'return 301 "http://${host}:8083${request_uri}";',
      },
      {
        name: 'omits a named port equal to the scheme default',
        redirect: { port: 80, scheme: 'http' },
        listener: 18443,
        https: true,
        expected: 'return 302 "http://${host}${request_uri}";',
      },
      {
        name: 'replaces the full path and keeps the query',
        redirect: { path: { type: 'ReplaceFullPath', value: '/new$' } },
        listener: 80,
        expected: 'return 302 "http://${host}/new${gp_dollar}${gp_query_0}";',
      },
      {
        name: 'replaces a matched prefix through a map on the raw target',
        redirect: { statusCode: 308, path: { type: 'ReplacePrefixMatch', prefix: '/p', value: '/q' } },
        listener: 80,
        expected: 'return 308 "http://${host}${gp_path_0}";',
      },
    ];
    for (const c of cases) {
      it(c.name, () =>
        expect(served(redirect(c.redirect), c.listener, c.https ? 'HTTPS' : 'HTTP')).to.include(c.expected),
      );
    }

    it('rewrites a prefix element-wise, keeping the raw rest of the path and the query', () => {
      const model = gatewayModel([
        port(80, [
          host('a', [
            rule(
              'x',
              0,
              prefix('/p.x'),
              redirect({ path: { type: 'ReplacePrefixMatch', prefix: '/p.x', value: '/' } }),
            ),
          ]),
        ]),
      ]);
      expect(nginxDriver.render(model, target).files[0]!.content).to.include(
        '    map "${request_uri}" $gp_path_0 {\n' +
          '        "~^/p\\\\.x(\\\\?.*)?\\\\z" "/$1";\n' +
          '        "~^/p\\\\.x(/[^?]*)(\\\\?.*)?\\\\z" "$1$2";\n' +
          '        default "/${gp_query_0}";\n    }',
      );
    });

    it('is accepted by nginx -t, every variant at once', async () => {
      const rules = cases.map((c, i) => rule('r', i, prefix(`/r${i}`), redirect(c.redirect)));
      const model = gatewayModel([port(18080, [host('a.example.com', rules)])]);
      expect((await renderAndCheck(model)).result).to.deep.equal({ ok: true });
    });

    it('keeps the raw query string, "?" included, through one shared map', () => {
      expect(served(redirect({ path: { type: 'ReplaceFullPath', value: '/' } }), 80)).to.include(
        '${gp_query_0}',
      );
      const model = gatewayModel([
        port(80, [
          host('a', [rule('x', 0, prefix('/'), redirect({ path: { type: 'ReplaceFullPath', value: '/' } }))]),
        ]),
      ]);
      expect(nginxDriver.render(model, target).files[0]!.content).to.include(
        '    map "${request_uri}" $gp_query_0 {\n        "~(\\\\?.*)" "$1";\n        default "";\n    }',
      );
    });

    it('adds response headers to the redirect', () => {
      expect(served(redirect({}, changes({ add: { 'X-R': '1' } })), 80)).to.include(
        'add_header "X-R" "1" always;\n            return 302',
      );
    });

    it('answers a fixed response with its status and no body', () => {
      expect(served(fixed(299), 80)).to.include('return 299 $gp_empty;');
    });
  });
});
