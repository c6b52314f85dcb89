/**
 * The Gateway the HAProxy integration test (test/integration/drivers/haproxy.test.ts) serves: one
 * virtual host per feature, the same on every HTTP port so that redirects can show their
 * per-port defaults, and an HTTPS port with two certificates chosen by SNI plus a default one.
 */
import type {
  Certificate,
  GatewayModel,
  HttpListenerPort,
  Upstream,
  VirtualHost,
} from '../../../../operator/model/types.js';
import * as f from './fixtures.js';

/** A path full of characters that mean something in haproxy.cfg, all of which HAProxy accepts in a request. */
export const HOSTILE_PATH = `/h$'"{};|#x`.replace('#', '%23');
/** A header value full of configuration and log-format syntax. */
export const HOSTILE_VALUE = `a "b" 'c' $HOME \${x} {;} #d \\e 50% %[path]  two  spaces`;
/** Token characters that are syntax in haproxy.cfg, for header and query parameter names. */
export const ODD_HEADER = `x-odd'$#|~`;
export const ODD_PARAM = `a'$(b)!*`;

export interface Scenario {
  readonly httpPorts: readonly number[];
  readonly tlsPort: number;
  readonly upstreams: {
    readonly a: Upstream;
    readonly b: Upstream;
    readonly c: Upstream;
    readonly empty: Upstream;
  };
  /** The HTTPS port's certificates: `secure.example.com`, `*.wild.example.com`, and the default. */
  readonly certificates: {
    readonly secure: Certificate;
    readonly wild: Certificate;
    readonly fallback: Certificate;
  };
}

/** `withCatchAll` is the change the reload brings: a `*` virtual host on the HTTP ports. */
export function scenarioModel(s: Scenario, withCatchAll: boolean): GatewayModel {
  const { a, b, c, empty } = s.upstreams;
  const wildcard = f.vhost('*.example.com', f.rule('wild', 0, f.prefix('/'), f.forward(f.to(b))));
  const catchAll = f.vhost('*', f.rule('any', 0, f.prefix('/'), f.forward(f.to(a))));
  const httpHosts = [
    app(s),
    matching(s),
    headers(s),
    redirects(),
    wildcard,
    ...(withCatchAll ? [catchAll] : []),
  ];
  const { secure, wild, fallback } = s.certificates;
  const tls = f.httpsPort(
    s.tlsPort,
    [
      f.tlsVhost('redirect.example.com', [secure], ...redirects().rules),
      f.tlsVhost('secure.example.com', [secure], f.rule('secure', 0, f.prefix('/'), f.forward(f.to(a)))),
      f.tlsVhost('*.wild.example.com', [wild], f.rule('tlswild', 0, f.prefix('/'), f.forward(f.to(b)))),
    ],
    fallback.id,
  );
  const ports: HttpListenerPort[] = [...s.httpPorts.map((port) => f.port(port, ...httpHosts)), tls];
  return f.gateway(ports, [a, b, c, empty], { certificates: [secure, wild, fallback] });
}

function app(s: Scenario): VirtualHost {
  const { a, b, empty } = s.upstreams;
  return f.vhost(
    'app.example.com',
    f.rule('app', 0, f.exact('/exact'), f.forward(f.to(a))),
    f.rule('app', 1, f.prefix('/foo'), f.forward(f.to(b))),
    f.rule('app', 2, f.prefix('/fixed'), f.fixed(500)),
    f.rule('app', 3, f.prefix('/split'), f.forward(f.to(a, 1), f.to(b, 1))),
    f.rule('app', 4, f.prefix('/invalid'), f.forward(f.to(a, 1), f.invalid(1))),
    f.rule('app', 5, f.prefix('/empty'), f.forward(f.to(empty))),
    f.rule('app', 6, f.exact(HOSTILE_PATH), f.forward(f.to(a))),
  );
}

/** Rules in the spec's precedence order, several of them on the same path. */
function matching(s: Scenario): VirtualHost {
  const { a, b, c } = s.upstreams;
  return f.vhost(
    'match.example.com',
    f.rule('match', 0, { path: f.exact('/method'), method: 'POST' }, f.forward(f.to(b))),
    f.rule(
      'match',
      1,
      { path: f.exact('/query'), queryParams: [f.equals('animal', 'whale')] },
      f.forward(f.to(b)),
    ),
    f.rule(
      'match',
      2,
      { path: f.exact('/query'), queryParams: [f.regex('animal', '^dol')] },
      f.forward(f.to(c)),
    ),
    f.rule(
      'match',
      3,
      {
        path: f.exact('/odd'),
        headers: [f.equals(ODD_HEADER, HOSTILE_VALUE)],
        queryParams: [f.equals(ODD_PARAM, `'$x`)],
      },
      f.forward(f.to(b)),
    ),
    f.rule('match', 4, { path: f.prefix('/v2'), headers: [f.equals('version', 'two')] }, f.forward(f.to(b))),
    f.rule('match', 5, { path: f.prefix('/'), headers: [f.regex('color', 'gre+n')] }, f.forward(f.to(c))),
    f.rule('match', 6, f.prefix('/'), f.forward(f.to(a))),
  );
}

function headers(s: Scenario): VirtualHost {
  const request = f.changes(
    [
      { name: 'X-Header-Set', value: 'set-value' },
      { name: 'X-Hostile', value: HOSTILE_VALUE },
    ],
    [
      { name: 'X-Header-Add', value: 'add-value' },
      { name: ODD_HEADER, value: 'odd' },
    ],
    ['X-Header-Remove'],
  );
  const response = f.changes(
    [{ name: 'X-Resp-Set', value: 's' }],
    [{ name: 'X-Resp-Add', value: 'a' }],
    ['X-Resp-Remove'],
  );
  return f.vhost(
    'headers.example.com',
    f.rule('hdr', 0, f.prefix('/'), f.forwardWith({ request, response }, f.to(s.upstreams.a))),
  );
}

function redirects(): VirtualHost {
  const to = (index: number, path: string, redirect: Parameters<typeof f.redirect>[0]) =>
    f.rule(
      'redir',
      index,
      f.prefix(path),
      f.redirect(redirect, index === 0 ? f.changes([{ name: 'X-Redirected', value: 'yes' }]) : f.NO_CHANGES),
    );
  return f.vhost(
    'redirect.example.com',
    to(0, '/hostname', { statusCode: 302, hostname: 'example.org' }),
    to(1, '/moved', { statusCode: 301, hostname: 'example.org' }),
    to(2, '/scheme', { statusCode: 302, scheme: 'https' }),
    to(3, '/port', { statusCode: 302, port: 8443 }),
    to(4, '/prefix', {
      statusCode: 302,
      path: { type: 'ReplacePrefixMatch', prefix: '/prefix', value: '/replaced' },
    }),
    to(5, '/strip', { statusCode: 302, path: { type: 'ReplacePrefixMatch', prefix: '/strip', value: '/' } }),
    to(6, '/full', { statusCode: 302, path: { type: 'ReplaceFullPath', value: '/replacement' } }),
    to(7, '/see-other', { statusCode: 303 }),
    to(8, '/temporary', { statusCode: 307 }),
    to(9, '/permanent', { statusCode: 308 }),
  );
}
