/**
 * Gateway and GatewayClass status tests that upstream runs in parallel (Appendix A.1–A.5):
 * generation tracking on GatewayClasses, and the conditions of invalid Gateways and listeners.
 */
import {
  CONTROLLER_NAME,
  gateway,
  GATEWAY_API,
  httpListener,
  httpsListener,
  INFRA,
  secretRef,
  type Manifest,
} from './manifests.js';
import { supportsHTTPRoute } from './gatewayStatus.js';
import type { ConformanceTest } from './suite.js';

const gatewayClass = (description: string): Manifest => ({
  apiVersion: GATEWAY_API,
  kind: 'GatewayClass',
  metadata: { name: 'gatewayclass-observed-generation-bump' },
  spec: { controllerName: CONTROLLER_NAME, description },
});

/** A.1: every GatewayClass condition follows spec changes to the new generation. */
const gatewayClassObservedGenerationBump: ConformanceTest = {
  name: 'GatewayClassObservedGenerationBump',
  parallel: true,
  manifests: [gatewayClass('old')],
  async run(t) {
    const name = 'gatewayclass-observed-generation-bump';
    const before = await t.gateways.gatewayClassMustHaveLatestConditions(name, { type: 'Accepted' }, 180_000);
    await t.gateways.gatewayClassMustHaveLatestConditions(name);
    await t.apply([gatewayClass('new')]);
    const after = await t.gateways.gatewayClassMustHaveLatestConditions(name, { type: 'Accepted' }, 180_000);
    await t.gateways.gatewayClassMustHaveLatestConditions(name);
    if (after === before) throw new Error(`generation did not change after the patch (still ${before})`);
  },
};

/** A.2: an infrastructure.parametersRef to an unknown kind gives Accepted=False/InvalidParameters. */
const gatewayInvalidParametersRef: ConformanceTest = {
  name: 'GatewayInvalidParametersRef',
  parallel: true,
  manifests: [
    gateway('gateway-invalid-parameters-ref', [httpListener('http', 'Same')], {
      skipReadiness: true,
      extraSpec: {
        infrastructure: {
          parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' },
        },
      },
    }),
  ],
  async run(t) {
    const gw = { name: 'gateway-invalid-parameters-ref', namespace: INFRA };
    await t.gateways.gatewayMustHaveLatestConditions(gw);
    await t.gateways.gatewayMustHaveCondition(gw, {
      type: 'Accepted',
      status: 'False',
      reason: 'InvalidParameters',
    });
  },
};

/** A.3: unknown route kinds leave supportedKinds without them, and ResolvedRefs=False/InvalidRouteKinds. */
const gatewayInvalidRouteKind: ConformanceTest = {
  name: 'GatewayInvalidRouteKind',
  parallel: true,
  manifests: [
    gateway(
      'gateway-only-invalid-route-kind',
      [
        httpListener('http', 'All', {
          allowedRoutes: { namespaces: { from: 'All' }, kinds: [{ kind: 'InvalidRoute' }] },
        }),
      ],
      { skipReadiness: true },
    ),
    gateway(
      'gateway-supported-and-invalid-route-kind',
      [
        httpListener('http', 'All', {
          allowedRoutes: {
            namespaces: { from: 'All' },
            kinds: [{ kind: 'InvalidRoute' }, { kind: 'HTTPRoute' }],
          },
        }),
      ],
      { skipReadiness: true },
    ),
  ],
  async run(t) {
    const invalidKinds = { type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' } as const;
    await t.gateways.gatewayStatusMustHaveListeners(
      { name: 'gateway-only-invalid-route-kind', namespace: INFRA },
      [{ name: 'http', supportedKinds: [], conditions: [invalidKinds], attachedRoutes: 0 }],
    );
    await t.gateways.gatewayStatusMustHaveListeners(
      { name: 'gateway-supported-and-invalid-route-kind', namespace: INFRA },
      [{ name: 'http', supportedKinds: supportsHTTPRoute, conditions: [invalidKinds], attachedRoutes: 0 }],
    );
  },
};

const INVALID_TLS_GATEWAYS = [
  ['gateway-certificate-nonexistent-secret', secretRef('nonexistent-certificate')],
  [
    'gateway-certificate-unsupported-group',
    { group: 'wrong.group.company.io', kind: 'Secret', name: 'tls-validity-checks-certificate' },
  ],
  [
    'gateway-certificate-unsupported-kind',
    { group: '', kind: 'WrongKind', name: 'tls-validity-checks-certificate' },
  ],
  ['gateway-certificate-malformed-secret', secretRef('malformed-certificate')],
] as const;

/** A.4: four unusable certificateRefs, each ResolvedRefs=False/InvalidCertificateRef. */
const gatewayInvalidTLSConfiguration: ConformanceTest = {
  name: 'GatewayInvalidTLSConfiguration',
  parallel: true,
  manifests: [
    ...INVALID_TLS_GATEWAYS.map(([name, ref]) =>
      gateway(name, [httpsListener('https', [ref])], { skipReadiness: true }),
    ),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'malformed-certificate', namespace: INFRA },
      type: 'kubernetes.io/tls',
      // "Hello world\n": not PEM.
      data: { 'tls.crt': 'SGVsbG8gd29ybGQK', 'tls.key': 'SGVsbG8gd29ybGQK' },
    },
  ],
  async run(t) {
    for (const [name] of INVALID_TLS_GATEWAYS) {
      await t.gateways.gatewayStatusMustHaveListeners({ name, namespace: INFRA }, [
        {
          name: 'https',
          supportedKinds: supportsHTTPRoute,
          conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidCertificateRef' }],
          attachedRoutes: 0,
        },
      ]);
    }
  },
};

const INVALID_LISTENER = {
  name: 'invalid',
  supportedKinds: [],
  conditions: [{ type: 'Accepted', status: 'False', reason: 'UnsupportedProtocol' }],
  attachedRoutes: 0,
} as const;

/** A.5: an unknown protocol makes that listener Accepted=False; the Gateway reports ListenersNotValid. */
const gatewayListenerUnsupportedProtocol: ConformanceTest = {
  name: 'GatewayListenerUnsupportedProtocol',
  parallel: true,
  manifests: [
    gateway('gateway-only-unsupported-protocols', [{ name: 'invalid', port: 1111, protocol: 'INVALID' }], {
      skipReadiness: true,
    }),
    gateway('gateway-supported-and-unsupported-protocols', [
      httpListener('http', 'Same'),
      { name: 'invalid', port: 1111, protocol: 'INVALID' },
    ]),
  ],
  async run(t) {
    const only = { name: 'gateway-only-unsupported-protocols', namespace: INFRA };
    await t.gateways.gatewayMustHaveLatestConditions(only);
    await t.gateways.gatewayMustHaveCondition(only, {
      type: 'Accepted',
      status: 'False',
      reason: 'ListenersNotValid',
    });
    await t.gateways.gatewayStatusMustHaveListeners(only, [INVALID_LISTENER]);

    const mixed = { name: 'gateway-supported-and-unsupported-protocols', namespace: INFRA };
    await t.gateways.gatewayMustHaveLatestConditions(mixed);
    await t.gateways.gatewayMustHaveCondition(mixed, {
      type: 'Accepted',
      status: 'True',
      reason: 'ListenersNotValid',
    });
    await t.gateways.gatewayStatusMustHaveListeners(mixed, [
      {
        name: 'http',
        supportedKinds: supportsHTTPRoute,
        conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
        attachedRoutes: 0,
      },
      INVALID_LISTENER,
    ]);
  },
};

export const GATEWAY_VALIDATION_TESTS: readonly ConformanceTest[] = [
  gatewayClassObservedGenerationBump,
  gatewayInvalidParametersRef,
  gatewayInvalidRouteKind,
  gatewayInvalidTLSConfiguration,
  gatewayListenerUnsupportedProtocol,
];
