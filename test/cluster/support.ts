/** Helpers shared by the cluster tests: fixtures, a log that can be read back, and waiting. */
import { Writable } from 'node:stream';
import winston from 'winston';
import type { JsonObject } from '../support/fakeKubeApi/index.js';

export interface CapturedLog {
  readonly logger: winston.Logger;
  readonly entries: { level: string; message: string; [key: string]: unknown }[];
}

export function captureLogger(): CapturedLog {
  const entries: CapturedLog['entries'] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: CapturedLog['entries'][number], _encoding, done) {
      entries.push(info);
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, entries };
}

/**
 * Waits until `check` passes, polling; the bound only turns a hang into a readable failure. It
 * is not a timing assertion: nothing is asserted about how soon the condition holds.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${what} did not hold within the test's patience`);
}

export const CONTROLLER = 'gateplane.io/gateway-controller';
const GW = 'gateway.networking.k8s.io/v1';

export function gatewayClass(name: string, controllerName = CONTROLLER): JsonObject {
  return { apiVersion: GW, kind: 'GatewayClass', metadata: { name }, spec: { controllerName } };
}

export function gateway(namespace: string, name: string, className = 'gp'): JsonObject {
  return {
    apiVersion: GW,
    kind: 'Gateway',
    metadata: { namespace, name },
    spec: { gatewayClassName: className, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  };
}

export function httpRoute(namespace: string, name: string, path = '/'): JsonObject {
  return {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { namespace, name },
    spec: {
      parentRefs: [{ name: 'gw' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: path } }],
          backendRefs: [{ name: 'svc', port: 80 }],
        },
      ],
    },
  };
}

export function service(namespace: string, name: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: { ports: [{ port: 80 }] },
  };
}

export function configMap(namespace: string, name: string): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data: { k: 'v' } };
}
