/**
 * The incremental resolver must give exactly what a fresh resolve gives, whatever changed in
 * between: generated sequences of changes to every kind the resolver reads (fixed seed;
 * `FUZZ_RUNS=2000 npm test` searches longer), each step compared with a resolve from scratch.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { KubeObject } from '../../../operator/api/kinds.js';
import { CONTROLLER_NAME, resolve, Resolver } from '../../../operator/model/index.js';
import { parseManifestText } from '../../../operator/sources/files.js';
import { Store } from '../../../operator/store/index.js';

const OPTIONS = {
  controllerName: CONTROLLER_NAME,
  defaultDriver: 'nginx',
  supportedFeatures: { nginx: ['HTTPRoute'], haproxy: ['HTTPRoute'] },
} as const;

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

function objects(yaml: string): KubeObject[] {
  const parsed = parseManifestText('variants.yaml', yaml);
  if (parsed.problems.length > 0) throw new Error(JSON.stringify(parsed.problems));
  return [...parsed.objects];
}

const listeners = (allowed: string, hostname = ''): string => `
  listeners:
    - { name: http, port: 80, protocol: HTTP${hostname}, allowedRoutes: { namespaces: ${allowed} } }
    - { name: other, port: 8080, protocol: HTTP, hostname: "*.example.com" }`;

const gatewayVariants = (name: string): string[] =>
  [
    listeners('{ from: All }'),
    listeners('{ from: Same }'),
    listeners('{ from: Selector, selector: { matchLabels: { env: prod } } }'),
    listeners('{ from: All }', ', hostname: "a.example.com"'),
    // Two listeners on one port: routes attach to both, and the narrower one owns its hostname.
    `${listeners('{ from: All }')}
    - { name: narrow, port: 80, protocol: HTTP, hostname: b.example.com }`,
  ].map(
    (spec) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: infra }
spec:
  gatewayClassName: gp${spec}`,
  );

const serviceVariants = (name: string, namespace: string): string[] =>
  [8080, 9090].map(
    (port) => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec: { ports: [{ name: http, port: ${port}, targetPort: 3000 }] }`,
  );

const sliceVariants = (service: string, namespace: string): string[] =>
  [['10.0.0.1'], ['10.0.0.1', '10.0.0.2'], ['10.0.0.3']].map(
    (addresses) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${service}-1, namespace: ${namespace}, labels: { kubernetes.io/service-name: ${service} } }
addressType: IPv4
ports: [{ name: http, port: 3000 }]
endpoints: [${addresses.map((a) => `{ addresses: ["${a}"] }`).join(', ')}]`,
  );

const routeVariants = (name: string, namespace: string): string[] =>
  [
    `parentRefs: [{ name: gw, namespace: infra }]
  hostnames: [a.example.com]
  rules: [{ backendRefs: [{ name: v1, namespace: infra, port: 8080 }] }]`,
    `parentRefs: [{ name: gw, namespace: infra }, { name: gw2, namespace: infra }]
  hostnames: ["*.example.com"]
  rules: [{ matches: [{ path: { type: Exact, value: /x } }], backendRefs: [{ name: v2, namespace: web, port: 8080 }] }]`,
    `parentRefs: [{ name: gw, namespace: infra, sectionName: other }]
  rules: [{ backendRefs: [{ name: v1, namespace: infra, port: 8080, weight: 3 }, { name: v2, namespace: web, port: 9090 }] }]`,
    `parentRefs: [{ name: gw2, namespace: infra }]
  hostnames: [a.example.com, b.example.com]
  rules: [{ matches: [{ path: { type: PathPrefix, value: /api } }], backendRefs: [{ name: missing, port: 80 }] }]`,
  ].map(
    (spec) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  ${spec}`,
  );

/** Every object the sequences may write: the variants of one object share kind, namespace and name. */
const POOL: readonly (readonly KubeObject[])[] = [
  [
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gp }
spec: { controllerName: gateplane.io/gateway-controller }`,
  ],
  gatewayVariants('gw'),
  gatewayVariants('gw2'),
  ['{}', '{ env: prod }', '{ env: dev }'].map(
    (labels) => `apiVersion: v1
kind: Namespace
metadata: { name: web, labels: ${labels} }`,
  ),
  serviceVariants('v1', 'infra'),
  serviceVariants('v2', 'web'),
  sliceVariants('v1', 'infra'),
  sliceVariants('v2', 'web'),
  [
    `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: from-infra, namespace: web }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra }]
  to: [{ group: "", kind: Service }]`,
  ],
  routeVariants('r1', 'infra'),
  routeVariants('r2', 'infra'),
  routeVariants('r3', 'web'),
].map((variants) => variants.flatMap(objects));

/** One step: write variant `variant` of pool entry `entry`, or delete it when `variant` is past the last. */
const step = fc.record({ entry: fc.nat(POOL.length - 1), variant: fc.nat(5) });

/** Writes variant `variant` of pool entry `entry`, or deletes it when `variant` is past the last. */
function write(store: Store, { entry, variant }: { entry: number; variant: number }): void {
  const variants = POOL[entry]!;
  const object = variants[variant];
  if (object) store.apply([object]);
  else {
    const { kind, metadata } = variants[0]!;
    store.apply([], [{ kind, namespace: metadata.namespace, name: metadata.name }]);
  }
}

/** Each step: one to three writes, then a resolution compared with one from scratch. */
function replay(steps: readonly (readonly { entry: number; variant: number }[])[]): void {
  const store = new Store({ metadata: 'track', now: () => new Date('2026-01-01T00:00:00Z') });
  store.apply(POOL.flatMap((variants) => variants.slice(0, 1)));
  const resolver = new Resolver(OPTIONS);
  expect(resolver.resolve(store.snapshot())).to.deep.equal(resolve(store.snapshot(), OPTIONS));
  for (const writes of steps) {
    for (const one of writes) write(store, one);
    expect(resolver.resolve(store.snapshot())).to.deep.equal(resolve(store.snapshot(), OPTIONS));
  }
}

/** The routes are the last three pool entries: sequences of route changes only take the resolver's route path. */
const FIRST_ROUTE = POOL.length - 3;
const routeStep = fc.record({
  entry: fc.integer({ min: FIRST_ROUTE, max: POOL.length - 1 }),
  variant: fc.nat(4),
});

describe('resolver: incremental resolution', () => {
  it('gives what a fresh resolve gives after every change (fixed seed)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => replay(steps.map((s) => [s]))),
      { seed: 20261202, numRuns: RUNS },
    );
  });

  it('gives what a fresh resolve gives after route changes alone, several at a time (fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(routeStep, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 25 }),
        replay,
      ),
      { seed: 20261203, numRuns: RUNS },
    );
  });

  it('keeps the objects of what did not change, and rebuilds what did', () => {
    const store = new Store({ metadata: 'track', now: () => new Date('2026-01-01T00:00:00Z') });
    store.apply(POOL.flatMap((variants) => variants.slice(0, 1)));
    const resolver = new Resolver(OPTIONS);
    const hostsOf = (resolution: ReturnType<Resolver['resolve']>) =>
      new Map(
        resolution.gateways[0]!.model!.ports.flatMap((port) =>
          port.virtualHosts.map((host) => [`${port.port} ${host.hostname}`, host] as const),
        ),
      );
    const before = hostsOf(resolver.resolve(store.snapshot()));
    // A route for a host of its own: every other virtual host is the object it was.
    store.apply(
      objects(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r4, namespace: infra }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [c.example.com]
  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]`),
    );
    const after = hostsOf(resolver.resolve(store.snapshot()));
    const kept = [...after].filter(([key, host]) => before.get(key) === host).map(([key]) => key);
    const rebuilt = [...after].filter(([key, host]) => before.get(key) !== host).map(([key]) => key);
    expect(kept).to.deep.equal([...before.keys()]);
    expect(rebuilt).to.deep.equal(['80 c.example.com', '8080 c.example.com']);
  });
});
