/**
 * Helpers for tests that run a real HAProxy (test/integration/drivers/haproxy.test.ts): echo
 * backends, an HTTP(S) client that reports what the backend saw, certificates, and a /proc scan
 * for leftover processes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { selfSignedCertificate } from '../../../support/tls.js';

/** What an echo backend saw. Header names lowercased, repeated lines joined with "," as the conformance suite does. */
export interface Echo {
  readonly backend: string;
  readonly url: string;
  readonly method: string;
  readonly host: string;
  readonly httpVersion: string;
  readonly remotePort: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Reply {
  readonly status: number;
  readonly body: string;
  /** Response headers, lowercased, repeated lines joined with ",". */
  readonly headers: Readonly<Record<string, string>>;
  readonly echo?: Echo;
  /** HTTPS: the CN of the certificate the proxy presented. */
  readonly certificate?: string;
}

function joined(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    headers[name] = name in headers ? `${headers[name]},${raw[i + 1]!}` : raw[i + 1]!;
  }
  return headers;
}

/**
 * An echo backend like the conformance suite's: answers JSON with what it received, and sets the
 * response headers asked for in `x-echo-set-header: Name:value,Name2:value2`.
 */
export async function startBackend(name: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    for (const pair of (req.headers['x-echo-set-header'] as string | undefined)?.split(',') ?? []) {
      const colon = pair.indexOf(':');
      if (colon > 0) res.setHeader(pair.slice(0, colon), pair.slice(colon + 1));
    }
    const echo: Echo = {
      backend: name,
      url: req.url ?? '',
      method: req.method ?? '',
      host: req.headers.host ?? '',
      httpVersion: req.httpVersion,
      remotePort: req.socket.remotePort ?? 0,
      headers: joined(req.rawHeaders),
    };
    res.end(JSON.stringify(echo));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export function backendPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

export async function stopBackend(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

export interface RequestOptions {
  readonly address: string;
  readonly port: number;
  readonly host: string;
  readonly method?: string;
  /** Values given as an array are sent as several lines. */
  readonly headers?: Readonly<Record<string, string | string[]>>;
  readonly agent?: http.Agent;
  /** HTTPS with this SNI; `''` for none. */
  readonly tls?: { readonly servername: string };
}

export function request(pathAndQuery: string, options: RequestOptions): Promise<Reply> {
  const common = {
    host: options.address,
    port: options.port,
    path: pathAndQuery,
    method: options.method ?? 'GET',
    headers: { ...options.headers, host: options.host },
    agent: options.agent ?? false,
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const headers = joined(res.rawHeaders);
        const echo = headers['content-type'] === 'application/json' ? (JSON.parse(body) as Echo) : undefined;
        const peer = options.tls ? (res.socket as TLSSocket).getPeerCertificate() : undefined;
        resolve({
          status: res.statusCode ?? 0,
          body,
          headers,
          ...(echo ? { echo } : {}),
          ...(peer ? { certificate: String(peer.subject.CN) } : {}),
        });
      });
    };
    const req = options.tls
      ? https.request(
          // Node would take the SNI from the Host header; an explicit `''` sends none.
          { ...common, rejectUnauthorized: false, servername: options.tls.servername },
          onResponse,
        )
      : http.request(common, onResponse);
    req.on('error', reject);
    req.end();
  });
}

/** A self-signed certificate for `dnsName`, with CN `cn`, as one PEM holding the chain and the key. */
export async function makeCertificate(cn: string, dnsName: string): Promise<string> {
  const pair = await selfSignedCertificate({ hosts: [dnsName], subject: `/CN=${cn}` });
  return pair.certPem + pair.keyPem;
}

/** Processes whose command line names the runtime directory: HAProxy masters and workers. */
export function processesUsing(runtimeDir: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(runtimeDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}
