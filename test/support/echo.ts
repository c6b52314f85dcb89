/**
 * An HTTP echo backend that answers like the upstream conformance echo server (echo-basic):
 * JSON with the request's path (raw, with query), host, method, proto, canonicalized headers,
 * and the namespace/service/pod it pretends to be. `/status/NNN` answers NNN, `/health` OK,
 * `?delay=` waits, and `X-Echo-Set-Header: Name:value,Name2:value2` makes it send those
 * response headers (names keep their casing on the wire, a repeated name is joined with `,`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoIdentity {
  readonly namespace: string;
  readonly pod: string;
  readonly service?: string;
}

export interface EchoResponse {
  readonly path: string;
  readonly host: string;
  readonly method: string;
  readonly proto: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly namespace: string;
  readonly ingress: string;
  readonly service: string;
  readonly pod: string;
  readonly httpPort: string;
}

/** Go's CanonicalMIMEHeaderKey: `x-header-set` → `X-Header-Set`. */
export function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

function headersOf(request: http.IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = canonicalHeaderName(raw[i]!);
    if (name === 'Host') continue; // Go keeps Host out of the header map
    (headers[name] ??= []).push(raw[i + 1]!);
  }
  return headers;
}

const ECHO_SET_HEADER = 'X-Echo-Set-Header';

/**
 * echo-basic's `writeEchoResponseHeaders`: each `X-Echo-Set-Header` line is split on `,`, each
 * item trimmed and cut at the first `:`; a name seen again gets `,` + the trimmed value appended.
 */
export function echoSetResponseHeaders(values: readonly string[]): Map<string, string> {
  const set = new Map<string, string>();
  for (const line of values) {
    for (const item of line.split(',')) {
      const trimmed = item.trim();
      if (trimmed === '') continue;
      const colon = trimmed.indexOf(':');
      const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
      const value = colon < 0 ? '' : trimmed.slice(colon + 1);
      const previous = set.get(name);
      set.set(name, previous === undefined ? value : `${previous},${value.trim()}`);
    }
  }
  return set;
}

export interface EchoServer {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startEcho(identity: EchoIdentity, address: string, port = 0): Promise<EchoServer> {
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    const status = /^\/status\/(\d{3})$/.exec(url.split('?')[0] ?? '');
    if (status) {
      response.writeHead(Number(status[1])).end();
      return;
    }
    if (url === '/health') {
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      return;
    }
    // Drain the body so keep-alive connections stay usable.
    request.resume();
    const respond = (): void => {
      const headers = headersOf(request);
      const body: EchoResponse = {
        path: url,
        host: request.headers.host ?? '',
        method: request.method ?? '',
        proto: `HTTP/${request.httpVersion}`,
        headers,
        namespace: identity.namespace,
        ingress: '',
        service: identity.service ?? '',
        pod: identity.pod,
        httpPort: String((server.address() as AddressInfo).port),
      };
      const raw = ['Content-Type', 'application/json', 'X-Content-Type-Options', 'nosniff'];
      for (const [name, value] of echoSetResponseHeaders(headers[ECHO_SET_HEADER] ?? []))
        raw.push(name, value);
      // A flat [name, value, …] list goes out as given: casing kept, nothing merged.
      response.writeHead(200, raw);
      response.end(JSON.stringify(body, null, 1));
    };
    // `?delay=500ms` (upstream takes a Go duration; milliseconds and seconds are enough here).
    const delay = /[?&]delay=(\d+)(ms|s)\b/.exec(url);
    if (delay) setTimeout(respond, Number(delay[1]) * (delay[2] === 's' ? 1000 : 1));
    else respond();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
