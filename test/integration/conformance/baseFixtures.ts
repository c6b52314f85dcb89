/**
 * The base manifests every test starts from (reference §2.1–2.3): namespaces with their labels,
 * the GatewayClass, the four base Gateways, the backend Services with the EndpointSlices
 * Kubernetes would make for their pods, and the TLS Secrets upstream's Setup creates.
 */
import { podsOf, POD_PORT, type BackendPod } from './backendPods.js';
import { selfSignedCertificate, tlsSecret, type KeyPair } from './certificates.js';
import {
  APP,
  CONTROLLER_NAME,
  GATEWAY_API,
  GATEWAY_CLASS,
  gateway,
  httpListener,
  httpsListener,
  INFRA,
  secretRef,
  WEB,
  type Manifest,
} from './manifests.js';

export interface BaseCertificates {
  /** infra/tls-validity-checks-certificate: the HTTPS tests' trust root. */
  readonly tlsValidityChecks: KeyPair;
  /** web/certificate. */
  readonly webCertificate: KeyPair;
}

export async function makeBaseCertificates(): Promise<BaseCertificates> {
  const [tlsValidityChecks, webCertificate] = await Promise.all([
    selfSignedCertificate(['*', '*.org', '*.wildcard.org']),
    selfSignedCertificate(['*']),
  ]);
  return { tlsValidityChecks, webCertificate };
}

const namespace = (name: string, label: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  // Kubernetes labels every namespace with its name; GatewayWithAttachedRoutes selects on it.
  metadata: { name, labels: { 'gateway-conformance': label, 'kubernetes.io/metadata.name': name } },
});

const TLS_CERT = [secretRef('tls-validity-checks-certificate', INFRA)];

const BASE_GATEWAYS: readonly Manifest[] = [
  gateway('same-namespace', [httpListener('http', 'Same')]),
  gateway('same-namespace-with-https-listener', [
    httpsListener('https', TLS_CERT, { allowedRoutes: { namespaces: { from: 'Same' } } }),
    ...[
      ['https-with-hostname', 'second-example.org'],
      ['https-with-wildcard-hostname', '*.wildcard.org'],
      ['https-with-hostname-matching-wildcard', 'fourth-example.wildcard.org'],
    ].map(([name, hostname]) =>
      httpsListener(name ?? '', TLS_CERT, {
        hostname: hostname ?? '',
        allowedRoutes: { namespaces: { from: 'Same' } },
      }),
    ),
  ]),
  gateway('all-namespaces', [httpListener('http', 'All')]),
  gateway('backend-namespaces', [
    httpListener('http', 'Selector', {
      allowedRoutes: {
        namespaces: { from: 'Selector', selector: { matchLabels: { 'gateway-conformance': 'backend' } } },
      },
    }),
  ]),
];

/**
 * A Service with a selector, and the EndpointSlice the endpoints controller would derive from
 * its pods. Only infra-backend-v1 names its port (`first-port`), as upstream; an unnamed Service
 * port gives a slice port named "".
 */
export function serviceWithPods(
  name: string,
  ns: string,
  pods: readonly BackendPod[],
  portName?: string,
): Manifest[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: {
        selector: { app: pods[0]?.deployment ?? name },
        ports: [
          { ...(portName ? { name: portName } : {}), protocol: 'TCP', port: 8080, targetPort: POD_PORT },
        ],
      },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-slice`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: portName ?? '', port: POD_PORT, protocol: 'TCP' }],
      endpoints: pods.map((pod) => ({
        addresses: [pod.address],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', name: pod.name, namespace: pod.namespace },
      })),
    },
  ];
}

export function baseManifests(pods: readonly BackendPod[], certificates: BaseCertificates): Manifest[] {
  const service = (name: string, ns: string, portName?: string): Manifest[] =>
    serviceWithPods(name, ns, podsOf(pods, name), portName);
  return [
    namespace(INFRA, 'infra'),
    namespace(APP, 'backend'),
    namespace(WEB, 'backend'),
    {
      apiVersion: GATEWAY_API,
      kind: 'GatewayClass',
      metadata: { name: GATEWAY_CLASS },
      spec: { controllerName: CONTROLLER_NAME },
    },
    ...BASE_GATEWAYS,
    ...service('infra-backend-v1', INFRA, 'first-port'),
    ...service('infra-backend-v2', INFRA),
    ...service('infra-backend-v3', INFRA),
    ...service('app-backend-v1', APP),
    ...service('app-backend-v2', APP),
    ...service('web-backend', WEB),
    tlsSecret('tls-validity-checks-certificate', INFRA, certificates.tlsValidityChecks),
    tlsSecret('certificate', WEB, certificates.webCertificate),
  ];
}

export const BASE_NAMESPACES = [INFRA, APP, WEB] as const;
