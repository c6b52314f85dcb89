/**
 * Cross-namespace certificate references and ReferenceGrants (Appendix A.8–A.11), run in
 * parallel upstream. Each Gateway's HTTPS listener refers to Secret web/certificate.
 */
import { supportsHTTPRoute, type ExpectedListener } from './gatewayStatus.js';
import {
  APP,
  gateway,
  GATEWAY_GROUP,
  httpsListener,
  INFRA,
  referenceGrant,
  secretRef,
  WEB,
  type JsonValue,
  type Manifest,
} from './manifests.js';
import type { ConformanceTest } from './suite.js';

const gatewayUsingWebCertificate = (name: string): Manifest =>
  gateway(name, [httpsListener('https', [secretRef('certificate', WEB)])]);

const FROM_INFRA_GATEWAYS = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: INFRA };
const TO_CERTIFICATE = { group: '', kind: 'Secret', name: 'certificate' };

const grant = (name: string, namespace: string, from: JsonValue, to: JsonValue): Manifest =>
  referenceGrant(name, namespace, { from: [from], to: [to] });

const refNotPermitted: ExpectedListener = {
  name: 'https',
  supportedKinds: supportsHTTPRoute,
  conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' }],
  attachedRoutes: 0,
};

const programmed: ExpectedListener = {
  name: 'https',
  supportedKinds: supportsHTTPRoute,
  conditions: [
    { type: 'Programmed', status: 'True', reason: 'Programmed' },
    { type: 'ResolvedRefs', status: 'True' },
  ],
  attachedRoutes: 0,
};

/** A.8: seven ReferenceGrants, each wrong in one field: none permits the reference. */
const gatewaySecretInvalidReferenceGrant: ConformanceTest = {
  name: 'GatewaySecretInvalidReferenceGrant',
  parallel: true,
  manifests: [
    gatewayUsingWebCertificate('gateway-secret-invalid-reference-grant'),
    grant('reference-grant-wrong-namespace', APP, FROM_INFRA_GATEWAYS, TO_CERTIFICATE),
    grant(
      'reference-grant-wrong-from-group',
      WEB,
      { ...FROM_INFRA_GATEWAYS, group: 'not-the-group-youre-looking-for' },
      TO_CERTIFICATE,
    ),
    grant(
      'reference-grant-wrong-from-kind',
      WEB,
      { ...FROM_INFRA_GATEWAYS, kind: 'HTTPRoute' },
      TO_CERTIFICATE,
    ),
    grant(
      'reference-grant-wrong-from-namespace',
      WEB,
      { ...FROM_INFRA_GATEWAYS, namespace: 'not-the-namespace-youre-looking-for' },
      TO_CERTIFICATE,
    ),
    grant('reference-grant-wrong-to-group', WEB, FROM_INFRA_GATEWAYS, {
      group: 'not-the-group-youre-looking-for',
      kind: 'Secret',
      name: 'not-the-certificate-youre-looking-for',
    }),
    grant('reference-grant-wrong-to-kind', WEB, FROM_INFRA_GATEWAYS, { ...TO_CERTIFICATE, kind: 'Service' }),
    grant('reference-grant-wrong-to-name', WEB, FROM_INFRA_GATEWAYS, {
      ...TO_CERTIFICATE,
      name: 'not-the-certificate-youre-looking-for',
    }),
  ],
  async run(t) {
    await t.gateways.gatewayStatusMustHaveListeners(
      { name: 'gateway-secret-invalid-reference-grant', namespace: INFRA },
      [refNotPermitted],
    );
  },
};

/** A.9: no ReferenceGrant at all. */
const gatewaySecretMissingReferenceGrant: ConformanceTest = {
  name: 'GatewaySecretMissingReferenceGrant',
  parallel: true,
  manifests: [gatewayUsingWebCertificate('gateway-secret-missing-reference-grant')],
  async run(t) {
    await t.gateways.gatewayStatusMustHaveListeners(
      { name: 'gateway-secret-missing-reference-grant', namespace: INFRA },
      [refNotPermitted],
    );
  },
};

/** A.10: a grant to every Secret of the namespace (no `name`). */
const gatewaySecretReferenceGrantAllInNamespace: ConformanceTest = {
  name: 'GatewaySecretReferenceGrantAllInNamespace',
  parallel: true,
  manifests: [
    gatewayUsingWebCertificate('gateway-secret-reference-grant-all-in-namespace'),
    grant('reference-grant-all-in-namespace', WEB, FROM_INFRA_GATEWAYS, { group: '', kind: 'Secret' }),
  ],
  async run(t) {
    await t.gateways.gatewayStatusMustHaveListeners(
      { name: 'gateway-secret-reference-grant-all-in-namespace', namespace: INFRA },
      [programmed],
    );
  },
};

/** A.11: a grant naming the Secret. */
const gatewaySecretReferenceGrantSpecific: ConformanceTest = {
  name: 'GatewaySecretReferenceGrantSpecific',
  parallel: true,
  manifests: [
    gatewayUsingWebCertificate('gateway-secret-reference-grant-specific'),
    grant('reference-grant-specific', WEB, FROM_INFRA_GATEWAYS, TO_CERTIFICATE),
  ],
  async run(t) {
    await t.gateways.gatewayStatusMustHaveListeners(
      { name: 'gateway-secret-reference-grant-specific', namespace: INFRA },
      [programmed],
    );
  },
};

export const GATEWAY_SECRET_TESTS: readonly ConformanceTest[] = [
  gatewaySecretInvalidReferenceGrant,
  gatewaySecretMissingReferenceGrant,
  gatewaySecretReferenceGrantAllInNamespace,
  gatewaySecretReferenceGrantSpecific,
];
