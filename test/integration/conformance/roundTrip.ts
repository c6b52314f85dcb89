/**
 * Requests made and compared as upstream's `MakeRequest` / `CompareRoundTrip` do (reference §3.5):
 * HTTP/1.1, a new connection per request, redirects never followed, `X-Echo-Set-Header` always
 * sent; HTTPS with SNI and the test's trust root, hostnames verified by Go's rules.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { canonicalHeaderName, type EchoResponse } from '../../support/echo.js';
import type { Reply } from '../../support/http.js';
import type { GatewayAddress } from './routeStatus.js';
import { awaitConvergence, TIMEOUTS } from './timing.js';

export interface Request {
  readonly path: string;
  readonly host?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ExpectedRequest {
  readonly path?: string;
  readonly host?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly absentHeaders?: readonly string[];
}

export interface ExpectedResponse {
  readonly request: Request;
  /** Defaults to a copy of `request` (upstream: `ExpectedRequest{Request: Request}`). */
  readonly expectedRequest?: ExpectedRequest;
  readonly redirectRequest?: {
    readonly scheme?: string;
    readonly host?: string;
    readonly port?: string;
    readonly path?: string;
  };
  /** Defaults to [200]. */
  readonly statusCodes?: readonly number[];
  readonly backend?: string;
  /** Compared exactly with the echoed namespace on 200/204, as upstream (so it must be given). */
  readonly namespace?: string;
}

export interface Tls {
  /** PEM of the trust root. */
  readonly ca: string;
  /** SNI; upstream's tests set it equal to the Host header. */
  readonly serverName: string;
}

const REDIRECT_CODES = new Set([300, 301, 302, 303, 304, 305, 307, 308]);

/** Go's `matchHostnames`: the leftmost label may be `*` (even `*.org`, which Node would refuse). */
function goMatchesHostname(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().split('.');
  const h = host.toLowerCase().replace(/\.$/, '').split('.');
  if (p.length !== h.length || p.some((part) => part === '')) return false;
  return p.every((part, i) => (i === 0 && part === '*') || part === h[i]);
}

/**
 * Go's crypto/tls hostname check: DNS SANs only (no Common Name, no URI SANs). Node's own check
 * refuses `*.org`, which the upstream certificate relies on for `example.org`.
 */
function checkServerIdentityLikeGo(host: string, cert: PeerCertificate): Error | undefined {
  const x509 = new X509Certificate(cert.raw);
  const dnsNames = (x509.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  return dnsNames.some((name) => goMatchesHostname(name, host))
    ? undefined
    : new Error(`x509: certificate is valid for ${dnsNames.join(', ')}, not ${host}`);
}

/**
 * One HTTP/1.1 exchange on a fresh connection. Not test/support's `request`: a body that claims
 * JSON but does not parse must be a failed attempt (retried, as upstream), not an exception
 * thrown from an event handler.
 */
function exchange(
  target: GatewayAddress,
  req: Request,
  headers: Record<string, string>,
  tls?: Tls,
): Promise<Reply> {
  const options = {
    host: target.host,
    port: target.port,
    path: req.path,
    method: req.method ?? 'GET',
    headers,
    agent: false as const,
    timeout: TIMEOUTS.request,
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          // Upstream parses the body only when Content-Type is exactly application/json.
          const echo =
            res.headers['content-type'] === 'application/json'
              ? (JSON.parse(text) as EchoResponse)
              : undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, echo, text });
        } catch (error) {
          reject(new Error(`response is application/json but not JSON: ${String(error)}`));
        }
      });
      res.on('error', reject);
    };
    const outgoing = tls
      ? https.request(
          {
            ...options,
            servername: tls.serverName,
            ca: tls.ca,
            checkServerIdentity: checkServerIdentityLikeGo,
          },
          onResponse,
        )
      : http.request(options, onResponse);
    outgoing.on('timeout', () => outgoing.destroy(new Error('request timed out')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** One request as upstream builds it; the URL host (and so the default Host) drops :80 / :443. */
export function send(target: GatewayAddress, req: Request, tls?: Tls): Promise<Reply> {
  const defaultPort = tls ? 443 : 80;
  const host = req.host ?? (target.port === defaultPort ? target.host : `${target.host}:${target.port}`);
  // Go's Header.Set canonicalizes names on the wire: `x-header-set` goes out as `X-Header-Set`.
  const headers = Object.fromEntries(
    Object.entries(req.headers ?? {}).map(([name, value]) => [canonicalHeaderName(name), value]),
  );
  return exchange(target, req, { Host: host, ...headers, 'X-Echo-Set-Header': '' }, tls);
}

/** `CompareRoundTrip`: throws with the first difference. */
export function compareRoundTrip(expected: ExpectedResponse, reply: Reply, requestUrl: URL): void {
  const codes = expected.statusCodes ?? [200];
  if ((reply.status === 408 || reply.status === 504) && codes.some((c) => c === 408 || c === 504)) return;
  if (!codes.includes(reply.status))
    throw new Error(`expected status ${codes.join(' or ')}, got ${reply.status}`);
  if (reply.status === 200 || reply.status === 204) compareEchoedRequest(expected, reply.echo);
  else if (REDIRECT_CODES.has(reply.status) && expected.redirectRequest)
    compareRedirect(expected, reply, requestUrl);
}

function compareEchoedRequest(expected: ExpectedResponse, echo: EchoResponse | undefined): void {
  // Upstream parses the body only for Content-Type application/json; otherwise all fields are empty.
  const actual = echo ?? { path: '', host: '', method: '', namespace: '', pod: '', headers: {} };
  const want = expected.expectedRequest ?? expected.request;
  const mismatch = (what: string, e: string, a: string): Error =>
    new Error(`echoed ${what} ${JSON.stringify(a)}, expected ${JSON.stringify(e)}`);
  if (want.host && want.host !== actual.host) throw mismatch('host', want.host, actual.host);
  const path = want.path ?? expected.request.path;
  if (path !== actual.path) throw mismatch('path', path, actual.path);
  const method = expected.expectedRequest ? (want.method ?? 'GET') : (expected.request.method ?? 'GET');
  if (method !== actual.method) throw mismatch('method', method, actual.method);
  const namespace = expected.namespace ?? '';
  if (namespace !== actual.namespace) throw mismatch('namespace', namespace, actual.namespace);
  const headers = new Map(
    Object.entries(actual.headers).map(([name, values]) => [name.toLowerCase(), values]),
  );
  for (const [name, value] of Object.entries(want.headers ?? {})) {
    const values = headers.get(name.toLowerCase());
    if (!values)
      throw new Error(`echoed request lacks header ${name} (has ${[...headers.keys()].join(', ')})`);
    if (values.join(',') !== value) throw mismatch(`header ${name}`, value, values.join(','));
  }
  for (const name of expected.expectedRequest?.absentHeaders ?? []) {
    if (headers.has(name.toLowerCase()))
      throw new Error(`echoed request has header ${name}, which must be absent`);
  }
  if (!actual.pod.startsWith(expected.backend ?? ''))
    throw new Error(
      `answered by pod ${JSON.stringify(actual.pod)}, expected backend ${expected.backend ?? ''}`,
    );
}

function compareRedirect(expected: ExpectedResponse, reply: Reply, requestUrl: URL): void {
  const redirect = expected.redirectRequest ?? {};
  const location = reply.headers.location;
  if (!location) throw new Error(`status ${reply.status} without a Location header`);
  // Go's resp.Location() resolves a relative Location against the request URL.
  const url = new URL(location, requestUrl);
  const scheme = requestUrl.protocol.replace(/:$/, '');
  const actualScheme = url.protocol.replace(/:$/, '');
  const wantScheme = redirect.scheme ?? scheme;
  if (actualScheme !== wantScheme)
    throw new Error(`Location ${location}: scheme ${actualScheme}, expected ${wantScheme}`);
  if (redirect.host !== undefined && url.hostname !== redirect.host)
    throw new Error(`Location ${location}: host ${url.hostname}, expected ${redirect.host}`);
  // WHATWG URL drops the scheme's default port: '' stands for "absent or the default", which is
  // what upstream accepts when no port is expected.
  const wantPort = redirect.port ?? '';
  const defaultPort = actualScheme === 'https' ? '443' : '80';
  const portOk =
    wantPort === ''
      ? url.port === ''
      : url.port === wantPort || (url.port === '' && wantPort === defaultPort);
  if (!portOk)
    throw new Error(
      `Location ${location}: port ${JSON.stringify(url.port)}, expected ${JSON.stringify(wantPort)}`,
    );
  const wantPath = redirect.path ?? requestUrl.pathname;
  if (url.pathname !== wantPath)
    throw new Error(`Location ${location}: path ${url.pathname}, expected ${wantPath}`);
}

/** The URL upstream would request: the scheme's default port is left out. */
export function requestUrl(target: GatewayAddress, req: Request, tls?: Tls): URL {
  const scheme = tls ? 'https' : 'http';
  const port = target.port === (tls ? 443 : 80) ? '' : `:${target.port}`;
  return new URL(`${scheme}://${target.host}${port}${req.path}`);
}

const describeRequest = (target: GatewayAddress, expected: ExpectedResponse, tls?: Tls): string => {
  const { request } = expected;
  const headers = Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  return `${request.method ?? 'GET'} ${tls ? 'https' : 'http'}://${request.host ?? target.host}${request.path}${
    headers.length ? ` [${headers.join('; ')}]` : ''
  } via ${target.host}:${target.port}`;
};

/**
 * `MakeRequestAndExpectEventuallyConsistentResponse` (and its TLS twin): 3 consecutive matching
 * responses within 30 s, a 1 s pause after each miss.
 */
export async function expectEventuallyConsistentResponse(
  target: GatewayAddress,
  expected: ExpectedResponse,
  tls?: Tls,
): Promise<void> {
  const url = requestUrl(target, expected.request, tls);
  await awaitConvergence(describeRequest(target, expected, tls), async () => {
    compareRoundTrip(expected, await send(target, expected.request, tls), url);
  });
}

/** Upstream runs a test's request cases as parallel subtests; all must pass, all are reported. */
export async function expectAll(
  target: GatewayAddress,
  cases: readonly ExpectedResponse[],
  tls?: Tls,
): Promise<void> {
  const outcomes = await Promise.allSettled(
    cases.map((c) => expectEventuallyConsistentResponse(target, c, tls)),
  );
  const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [errorMessage(o.reason)] : []));
  if (failures.length > 0)
    throw new Error(
      `${failures.length} of ${cases.length} request cases failed:\n- ${failures.join('\n- ')}`,
    );
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
