/**
 * The agent's probe endpoints (the proxy container has no probe of its own): `/healthz` answers
 * 200 while the process runs, `/readyz` 200 when `ready()` says the proxy serves what the agent
 * applied, else 503. Nothing else is served.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseListenAddress } from '../listenAddress.js';

export { parseListenAddress };

export interface HealthServer {
  /** Where it listens; with port 0 in the address, the port the system picked. */
  readonly address: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

export async function startHealthServer(
  address: string,
  ready: () => Promise<boolean>,
): Promise<HealthServer> {
  const { host, port } = parseListenAddress(address);
  const server = http.createServer((request, response) => {
    const answer = (code: number, text: string): void => {
      response.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    const route = (request.url ?? '').split('?')[0];
    if (route === '/healthz') return answer(200, 'ok');
    if (route !== '/readyz') return answer(404, 'not found');
    ready().then(
      (isReady) => answer(isReady ? 200 : 503, isReady ? 'ready' : 'not ready'),
      () => answer(503, 'not ready'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new Error(`listen on ${address} for health probes`, { cause })));
    server.listen(port, host, resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
