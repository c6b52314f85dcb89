/**
 * The HTTP side of upstream's echo-basic (reference §2.4) as the replay's pods run it: the JSON
 * echo of test/support's echo server, plus `X-Echo-Set-Header: Name:value,Name2:value2`, which
 * makes the backend send those response headers (the response-header tests rely on it). Names
 * keep their casing on the wire, as echo-basic writes them straight into its header map, and a
 * repeated name is joined into one line with `,`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  canonicalHeaderName,
  type EchoIdentity,
  type EchoResponse,
  type EchoServer,
} from '../../support/echo.js';

const ECHO_SET_HEADER = 'X-Echo-Set-Header';

function requestHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = canonicalHeaderName(rawHeaders[i]!);
    if (name === 'Host') continue; // Go keeps Host out of the header map
    (headers[name] ??= []).push(rawHeaders[i + 1]!);
  }
  return headers;
}

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

function answer(request: http.IncomingMessage, response: http.ServerResponse, identity: EchoIdentity): void {
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
  request.resume();
  const headers = requestHeaders(request.rawHeaders);
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
    httpPort: String((request.socket.address() as AddressInfo).port),
  };
  const raw = ['Content-Type', 'application/json', 'X-Content-Type-Options', 'nosniff'];
  for (const [name, value] of echoSetResponseHeaders(headers[ECHO_SET_HEADER] ?? [])) raw.push(name, value);
  // A flat [name, value, …] list goes out as given: casing kept, nothing merged.
  response.writeHead(200, raw);
  response.end(JSON.stringify(body, null, 1));
}

export async function startEchoBasic(
  identity: EchoIdentity,
  address: string,
  port: number,
): Promise<EchoServer> {
  const server = http.createServer((request, response) => answer(request, response, identity));
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
