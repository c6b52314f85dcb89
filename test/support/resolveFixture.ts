/** Resolve YAML manifests in memory, for table tests of the resolver. */
import { parseManifestText } from '../../operator/sources/files.js';
import { CONTROLLER_NAME, resolve, type ObjectStatus, type Resolution } from '../../operator/model/index.js';
import { Store } from '../../operator/store/index.js';

export function resolveYaml(yaml: string): Resolution {
  const parsed = parseManifestText('fixture.yaml', yaml);
  if (parsed.problems.length > 0)
    throw new Error(`fixture does not load: ${JSON.stringify(parsed.problems)}`);
  const store = new Store({ metadata: 'track', now: () => new Date('2026-01-01T00:00:00Z') });
  store.apply(parsed.objects);
  return resolve(store.snapshot(), {
    controllerName: CONTROLLER_NAME,
    defaultDriver: 'nginx',
    supportedFeatures: { nginx: ['HTTPRoute'], haproxy: ['HTTPRoute'] },
  });
}

export function statusOf(resolution: Resolution, kind: string, name: string): ObjectStatus | undefined {
  return resolution.statuses.find((s) => s.kind === kind && s.metadata.name === name);
}

/** `type=status/reason` for every condition, the compact form table rows compare. */
export function summary(
  conditions: readonly { type: string; status: string; reason: string }[] | undefined,
): string[] {
  return (conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
}

export const CLASS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gp }
spec: { controllerName: gateplane.io/gateway-controller }
`;

export function gateway(listeners: string, name = 'gw', extra = ''): string {
  return `
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: infra }
spec:
  gatewayClassName: gp
  listeners:
${listeners}
${extra}`;
}

export const HTTP_LISTENER = '    - { name: http, port: 80, protocol: HTTP }';

export function service(
  name: string,
  namespace = 'infra',
  addresses: readonly string[] = ['10.0.0.1'],
): string {
  return `
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec: { ports: [{ name: http, port: 8080, targetPort: 3000 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-1, namespace: ${namespace}, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
ports: [{ name: http, port: 3000 }]
endpoints: [${addresses.map((a) => `{ addresses: ["${a}"] }`).join(', ')}]
`;
}

export function route(name: string, spec: string, namespace = 'infra'): string {
  return `
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
`;
}
