/**
 * The manifests the scenarios serve, one object kind per helper, and the folder they live in.
 *
 * Every Gateway is `default/bench` on one HTTP listener, port 8080, at a fixed loopback address;
 * its class points to a DataPlaneConfig with one worker (nginx `worker_processes 1`, HAProxy
 * `nbthread 1`), as the hand-tuned baselines, and a 10 s drain so that stopping is bounded.
 * Routes match `PathPrefix /` on one hostname each. A route is one file, written into place by
 * rename so that the controller never reads half a file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DriverName } from '../../operator/model/index.js';
import { now } from './clock.js';

export const LISTENER_PORT = 8080;
/** Where every backend endpoint listens (baselines/backend.nginx.conf). */
export const BACKEND_PORT = 3000;

/** The n-th backend address (1-based): 127.0.61.n, served by the backend nginx. */
export function backendAddress(n: number): string {
  if (n < 1 || n > 250) throw new Error(`backend address ${n} out of range`);
  return `127.0.61.${n}`;
}

export function gatewayManifests(driver: DriverName, address: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: bench }
spec:
  controllerName: gateplane.io/gateway-controller
  parametersRef: { group: gateplane.io, kind: DataPlaneConfig, name: bench, namespace: default }
---
apiVersion: gateplane.io/v1alpha1
kind: DataPlaneConfig
metadata: { name: bench, namespace: default }
spec: { driver: ${driver}, workerProcesses: 1, drainTimeout: 10s }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: bench, namespace: default }
spec:
  gatewayClassName: bench
  addresses: [{ type: IPAddress, value: "${address}" }]
  listeners: [{ name: http, protocol: HTTP, port: ${LISTENER_PORT} }]
`;
}

/** Service `default/<name>` and its EndpointSlice, one endpoint per address, all on BACKEND_PORT. */
export function serviceManifests(name: string, addresses: readonly string[]): string {
  const endpoints = addresses
    .map(
      (address, i) =>
        `  - { addresses: ["${address}"], conditions: { ready: true }, targetRef: { kind: Pod, name: ${name}-${i} } }`,
    )
    .join('\n');
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec: { ports: [{ name: http, port: 80, targetPort: ${BACKEND_PORT} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-1, namespace: default, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
ports: [{ name: http, port: ${BACKEND_PORT} }]
endpoints:
${endpoints}
`;
}

export function routeManifest(name: string, hostname: string, service: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: bench }]
  hostnames: ["${hostname}"]
  rules: [{ matches: [{ path: { type: PathPrefix, value: / } }], backendRefs: [{ name: ${service}, port: 80 }] }]
`;
}

export function routeHost(index: number): string {
  return `r${index}.bench.example`;
}

/**
 * A folder of manifests the controller watches, and a staging folder beside it (same file
 * system, not watched) where files are written before they are renamed into place.
 */
export class ManifestFolder {
  private counter = 0;

  private constructor(
    readonly dir: string,
    private readonly staging: string,
  ) {}

  static async create(root: string): Promise<ManifestFolder> {
    const dir = path.join(root, 'manifests');
    const staging = path.join(root, 'staging');
    await mkdir(dir, { recursive: true });
    await mkdir(staging, { recursive: true });
    return new ManifestFolder(dir, staging);
  }

  /** Stage `content`, then rename it into place. Resolves the time just before the rename. */
  async write(file: string, content: string): Promise<number> {
    this.counter += 1;
    const temp = path.join(this.staging, `${this.counter}-${file}`);
    await writeFile(temp, content);
    const t0 = now();
    await rename(temp, path.join(this.dir, file));
    return t0;
  }

  /** Write many files: staged first, then renamed in one quick burst. */
  async writeMany(files: readonly { name: string; content: string }[]): Promise<void> {
    const staged: [string, string][] = [];
    for (const file of files) {
      this.counter += 1;
      const temp = path.join(this.staging, `${this.counter}-${file.name}`);
      await writeFile(temp, file.content);
      staged.push([temp, path.join(this.dir, file.name)]);
    }
    for (const [from, to] of staged) await rename(from, to);
  }
}

export function routeFile(index: number): string {
  return `route-${String(index).padStart(5, '0')}.yaml`;
}

/** The files of routes `from`..`to` (1-based, inclusive), route i to Service `serviceOf(i)`. */
export function routeFiles(
  from: number,
  to: number,
  serviceOf: (index: number) => string,
): { name: string; content: string }[] {
  const files = [];
  for (let i = from; i <= to; i += 1)
    files.push({ name: routeFile(i), content: routeManifest(`r${i}`, routeHost(i), serviceOf(i)) });
  return files;
}
