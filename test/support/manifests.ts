/** Manifests the integration tests share: our GatewayClass, a one-listener Gateway, an echo Service. */

export const GATEWAY_CLASS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gateplane }
spec: { controllerName: gateplane.io/gateway-controller }
`;

/** Gateway `default/gw` of class `gateplane`, with the given listeners (flow YAML). */
export function gateway(listeners: string): string {
  return `
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: gateplane
  listeners: [${listeners}]
`;
}

/** Service `default/echo` (port 80) with one endpoint, `backend:3000`, named pod `echo-abc-1`. */
export function echoService(backend: string): string {
  return podService('echo', backend, 'echo-abc-1');
}

/** Service `default/<name>` (port 80) and its EndpointSlice: one endpoint, `address:3000`, pod `pod`. */
export function podService(name: string, address: string, pod: string): string {
  return `
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec: { ports: [{ name: http, port: 80, targetPort: 3000 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-1, namespace: default, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
ports: [{ name: http, port: 3000 }]
endpoints: [{ addresses: ["${address}"], targetRef: { kind: Pod, name: ${pod} } }]
`;
}

/** HTTPRoute `default/<name>` on `gw` for `host`, one rule to `echo`, with the given match. */
export function echoRoute(name: string, host: string, match?: string): string {
  return httpRoute(name, host, 'echo', match);
}

/** HTTPRoute `default/<name>` on `gw` for `hosts` (YAML list items), one rule to Service `to`. */
export function httpRoute(
  name: string,
  hosts: string,
  to: string,
  match = '{ path: { type: PathPrefix, value: / } }',
): string {
  return `
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${hosts}]
  rules: [{ matches: [${match}], backendRefs: [{ name: ${to}, port: 80 }] }]
`;
}
