/**
 * Requests made and compared as upstream's `MakeRequest` / `CompareRoundTrip` do (reference §3.5):
 * HTTP/1.1, a new connection per request, redirects never followed, `X-Echo-Set-Header` always
 * sent (carrying the response headers the backend must set, if any); HTTPS with SNI and the
 * test's trust root, hostnames verified by Go's rules. Response headers are read as Go's client
 * reads them: repeated lines are separate values, compared joined with `,`.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { canonicalHeaderName, type EchoResponse } from '../../support/echo.js';
import type { Reply } from '../../support/http.js';

/** A reply with its header lines as received (`rawHeaders`), which Go's client keeps apart. */
export interface Captured extends Reply {
  readonly rawHeaders: readonly string[];
}
import type { GatewayAddress } from './routeStatus.js';
import { awaitConvergence, TIMEOUTS } from './timing.js';

export interface Request {
  readonly path: string;
  readonly host?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Upstream's `BackendSetResponseHeaders`: sent as `X-Echo-Set-Header: Name:value,…`. */
  readonly backendSetResponseHeaders?: Readonly<Record<string, string>>;
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
  /** Upstream's `Response.Headers` / `Response.AbsentHeaders`, checked on 200/204. */
  readonly response?: {
    readonly headers?: Readonly<Record<string, string>>;
    readonly absentHeaders?: readonly string[];
  };
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
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

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
): Promise<Captured> {
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
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            echo,
            text,
          });
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

/** Go sends `Content-Length: 0` for a body-less request whose method expects a body. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** One request as upstream builds it; the URL host (and so the default Host) drops :80 / :443. */
export function send(target: GatewayAddress, req: Request, tls?: Tls): Promise<Captured> {
  const defaultPort = tls ? 443 : 80;
  const host = req.host ?? (target.port === defaultPort ? target.host : `${target.host}:${target.port}`);
  // Go's Header.Set canonicalizes names on the wire: `x-header-set` goes out as `X-Header-Set`.
  const headers = Object.fromEntries(
    Object.entries(req.headers ?? {}).map(([name, value]) => [canonicalHeaderName(name), value]),
  );
  const echoSet = Object.entries(req.backendSetResponseHeaders ?? {})
    .map(([name, value]) => `${name}:${value}`)
    .join(',');
  const length: Record<string, string> = BODY_METHODS.has(req.method ?? 'GET')
    ? { 'Content-Length': '0' }
    : {};
  return exchange(target, req, { Host: host, ...headers, ...length, 'X-Echo-Set-Header': echoSet }, tls);
}

/** `CompareRoundTrip`: throws with the first difference. */
export function compareRoundTrip(expected: ExpectedResponse, reply: Captured, requestUrl: URL): void {
  const codes = expected.statusCodes ?? [200];
  if ((reply.status === 408 || reply.status === 504) && codes.some((c) => c === 408 || c === 504)) return;
  if (!codes.includes(reply.status))
    throw new Error(`expected status ${codes.join(' or ')}, got ${reply.status}`);
  if (reply.status === 200 || reply.status === 204) {
    compareEchoedRequest(expected, reply.echo);
    compareResponseHeaders(expected, reply.rawHeaders);
  } else if (REDIRECT_CODES.has(reply.status) && expected.redirectRequest)
    compareRedirect(expected, reply, requestUrl);
}

/** Go's `resp.Header`: names case-insensitive, one value per header line. */
function responseHeaderValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    values.set(name, [...(values.get(name) ?? []), rawHeaders[i + 1]!]);
  }
  return values;
}

/** `Response.Headers` (values joined with `,`, compared exactly) and `Response.AbsentHeaders`. */
function compareResponseHeaders(expected: ExpectedResponse, rawHeaders: readonly string[]): void {
  if (!expected.response) return;
  const actual = responseHeaderValues(rawHeaders);
  const shown = (): string => [...actual].map(([n, v]) => `${n}: ${v.join(',')}`).join('; ');
  for (const [name, value] of Object.entries(expected.response.headers ?? {})) {
    const values = actual.get(name.toLowerCase());
    if (!values) throw new Error(`response lacks header ${name} (response headers: ${shown()})`);
    if (values.join(',') !== value)
      throw new Error(
        `response header ${name} is ${JSON.stringify(values.join(','))}, expected ${JSON.stringify(value)}`,
      );
  }
  for (const name of expected.response.absentHeaders ?? []) {
    const values = actual.get(name.toLowerCase());
    if (values)
      throw new Error(
        `response has header ${name}: ${JSON.stringify(values.join(','))}, which must be absent`,
      );
  }
}

/**
 * The port as Go's `url.Port()` gives it: written in the Location even when it is the scheme's
 * default (WHATWG URL would drop `:80`); for a relative Location, the request URL's.
 */
function locationPort(location: string, resolved: URL): string {
  const authority = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)/i.exec(location)?.[1];
  if (authority === undefined) return resolved.port;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const match = /:(\d*)$/.exec(hostPort.startsWith('[') ? hostPort.slice(hostPort.indexOf(']')) : hostPort);
  return match?.[1] ?? '';
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
  // No expected port: absent, or the default of the Location's scheme (80 for http, 443 for
  // https); otherwise exactly the expected one.
  const wantPort = redirect.port ?? '';
  const port = locationPort(location, url);
  const defaultPort = DEFAULT_PORTS[actualScheme];
  const portOk = wantPort === '' ? port === '' || port === defaultPort : port === wantPort;
  if (!portOk)
    throw new Error(
      `Location ${location}: port ${JSON.stringify(port)}, expected ${wantPort === '' ? `none${defaultPort ? ` or ${defaultPort}` : ''}` : JSON.stringify(wantPort)}`,
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
  const echoSet = Object.entries(request.backendSetResponseHeaders ?? {}).map(([k, v]) => `${k}:${v}`);
  if (echoSet.length > 0) headers.push(`X-Echo-Set-Header: ${echoSet.join(',')}`);
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
