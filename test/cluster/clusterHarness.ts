/**
 * What the cluster controller tests run: the fake API server (serving ServiceAccounts and
 * RoleBindings too, which the provisioner creates), the controller in-process with short retry
 * and lease timings, and fixtures for a Gateway with a route to a Service that has endpoints.
 */
import { DRIVERS } from '../../drivers/index.js';
import { ClusterController, type ClusterControllerOptions } from '../../operator/cluster/index.js';
import { APPLIED_HASH_ANNOTATION, proxyLabels } from '../../operator/provision/index.js';
import {
  DEFAULT_RESOURCES,
  FakeKubeApi,
  kubeConfigFor,
  type FakeResource,
  type JsonObject,
  type RecordedRequest,
} from '../support/fakeKubeApi/index.js';
import { captureLogger, CONTROLLER, type CapturedLog } from './support.js';

export const NS = 'default';
const GW = 'gateway.networking.k8s.io/v1';

const extra = (group: string, plural: string, kind: string): FakeResource => ({
  group,
  version: 'v1',
  plural,
  kind,
  namespaced: true,
  statusSubresource: false,
  generation: false,
  custom: false,
});

export function startApi(): Promise<FakeKubeApi> {
  return FakeKubeApi.start({
    resources: [
      ...DEFAULT_RESOURCES,
      extra('', 'serviceaccounts', 'ServiceAccount'),
      extra('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding'),
    ],
    notInstalled: ['tcproutes.gateway.networking.k8s.io'],
  });
}

export interface Running {
  readonly controller: ClusterController;
  readonly log: CapturedLog;
}

export async function startController(
  api: FakeKubeApi,
  options: Partial<ClusterControllerOptions> = {},
): Promise<Running> {
  const log = captureLogger();
  const controller = new ClusterController({
    kubeConfig: kubeConfigFor(api),
    logger: log.logger,
    drivers: DRIVERS,
    defaultDriver: 'nginx',
    retry: { baseDelayMs: 10, maxDelayMs: 50, missingKindRetryMs: 50 },
    coalesceMs: 5,
    image: 'registry.test/gateplane:dev',
    ...options,
  });
  await controller.start();
  return { controller, log };
}

// ---- fixtures ---------------------------------------------------------------------------------

export function gatewayClass(name = 'gp', controllerName = CONTROLLER): JsonObject {
  return { apiVersion: GW, kind: 'GatewayClass', metadata: { name }, spec: { controllerName } };
}

export function gateway(
  name = 'gw',
  listeners: JsonObject[] = [httpListener()],
  className = 'gp',
): JsonObject {
  return {
    apiVersion: GW,
    kind: 'Gateway',
    metadata: { namespace: NS, name },
    spec: { gatewayClassName: className, listeners },
  };
}

export const httpListener = (port = 80): JsonObject => ({ name: `http-${port}`, port, protocol: 'HTTP' });

export const httpsListener = (secret: string, port = 443): JsonObject => ({
  name: `https-${port}`,
  port,
  protocol: 'HTTPS',
  tls: { mode: 'Terminate', certificateRefs: [{ name: secret }] },
});

export function route(
  name: string,
  options: { path?: string; host?: string; gateway?: string; match?: JsonObject } = {},
): JsonObject {
  return {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { namespace: NS, name },
    spec: {
      parentRefs: [{ name: options.gateway ?? 'gw' }],
      ...(options.host ? { hostnames: [options.host] } : {}),
      rules: [
        {
          matches: [options.match ?? { path: { type: 'PathPrefix', value: options.path ?? '/' } }],
          backendRefs: [{ name: 'echo', port: 80 }],
        },
      ],
    },
  };
}

/** Service `echo` with one ready endpoint, 10.0.0.1:8080. */
export function backend(api: FakeKubeApi): void {
  api.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: NS, name: 'echo' },
    spec: { ports: [{ port: 80, targetPort: 8080 }] },
  });
  api.put({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: NS, name: 'echo-1', labels: { 'kubernetes.io/service-name': 'echo' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    ports: [{ port: 8080 }],
  });
}

/** A proxy pod as the Deployment would make it, as ready as asked, annotated with `hash` if given. */
export function proxyPod(
  api: FakeKubeApi,
  name: string,
  options: { hash?: string; ready?: boolean; gateway?: string } = {},
): void {
  api.put({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: NS,
      name,
      labels: proxyLabels(options.gateway ?? 'gw'),
      ...(options.hash ? { annotations: { [APPLIED_HASH_ANNOTATION]: options.hash } } : {}),
    },
    spec: { containers: [{ name: 'proxy', image: 'x' }] },
    status: { conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  });
}

/** Give the proxy Service a load-balancer address, as a cloud controller would. */
export function assignAddress(api: FakeKubeApi, service: string, ingress: JsonObject[]): void {
  const current = api.get('v1', 'Service', NS, service);
  if (!current) throw new Error(`no Service ${service}`);
  api.put({ ...current, status: { loadBalancer: { ingress } } });
}

// ---- reading the fake server ------------------------------------------------------------------

export const KINDS = {
  ServiceAccount: 'v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Deployment: 'apps/v1',
  Service: 'v1',
} as const;

export function object(api: FakeKubeApi, kind: keyof typeof KINDS, name: string): JsonObject | undefined {
  return api.get(KINDS[kind], kind, NS, name);
}

export const meta = (o: JsonObject | undefined) =>
  (o?.metadata ?? {}) as {
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: JsonObject[];
    managedFields?: { manager: string; operation: string }[];
  };

export const dataOf = (o: JsonObject | undefined): Record<string, string> =>
  (o?.data ?? {}) as Record<string, string>;

export function condition(
  o: JsonObject | undefined,
  type: string,
): { status?: string; reason?: string; message?: string } {
  const conditions = ((o?.status as JsonObject | undefined)?.conditions ?? []) as {
    type: string;
    status?: string;
    reason?: string;
    message?: string;
  }[];
  return conditions.find((c) => c.type === type) ?? {};
}

/** A condition of the route's (first) parent entry. */
export function routeCondition(
  api: FakeKubeApi,
  name: string,
  type: string,
): { status?: string; reason?: string; message?: string } {
  const parents = ((routeObject(api, name)?.status as JsonObject | undefined)?.parents ?? []) as JsonObject[];
  return condition({ status: parents[0] ?? {} }, type);
}

export const gatewayObject = (api: FakeKubeApi, name = 'gw') => api.get(GW, 'Gateway', NS, name);
export const routeObject = (api: FakeKubeApi, name: string) => api.get(GW, 'HTTPRoute', NS, name);

export const statusPatches = (api: FakeKubeApi, since = 0): RecordedRequest[] =>
  api.requests.slice(since).filter((r) => r.method === 'PATCH' && r.path.endsWith('/status'));

export const objectWrites = (api: FakeKubeApi, since = 0): RecordedRequest[] =>
  api.requests
    .slice(since)
    .filter(
      (r) =>
        (r.method === 'PATCH' || r.method === 'DELETE') &&
        !r.path.endsWith('/status') &&
        !r.path.includes('/leases/'),
    );
