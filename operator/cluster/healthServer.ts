/**
 * `/metrics`, `/healthz` and `/readyz` on `--metrics-address`. Liveness says the process
 * answers; readiness says the caches are synced and, when leading, the work queue runs, so a
 * rollout waits for the new operator to be useful before stopping the old one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { parseListenAddress } from '../listenAddress.js';

export { parseListenAddress };

export interface HealthServerOptions {
  /** `:9090`, `0.0.0.0:9090`, `127.0.0.1:0`, `[::1]:9090`. */
  readonly address: string;
  readonly registry: Registry;
  readonly ready: () => boolean;
}

export class HealthServer {
  private server: http.Server | undefined;

  constructor(private readonly options: HealthServerOptions) {}

  async start(): Promise<AddressInfo> {
    const { host, port } = parseListenAddress(this.options.address);
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const text = (code: number, body: string) =>
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void text(405, 'method not allowed\n');
    switch (path) {
      case '/healthz':
        return void text(200, 'ok\n');
      case '/readyz':
        return void (this.options.ready() ? text(200, 'ok\n') : text(503, 'not ready\n'));
      case '/metrics':
        try {
          const body = await this.options.registry.metrics();
          res.writeHead(200, { 'Content-Type': this.options.registry.contentType }).end(body);
        } catch {
          text(500, 'collecting metrics failed\n');
        }
        return;
      default:
        return void text(404, 'not found\n');
    }
  }
}
