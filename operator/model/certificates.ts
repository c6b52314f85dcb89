/**
 * TLS certificates for HTTPS listeners: certificateRefs resolved to Secrets (with ReferenceGrant
 * across namespaces), decoded, and checked to be a certificate chain with its matching key.
 * Messages never include Secret contents.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { GATEWAY_GROUP } from '../api/gatewayApi.js';
import type { Gateway, Secret } from '../api/kinds.js';
import type { StoreSnapshot } from '../store/index.js';
import * as c from './conditions.js';
import { referencePermitted } from './referenceGrant.js';
import type { Certificate } from './types.js';

type CertificateRef = NonNullable<Gateway['spec']['listeners'][number]['tls']>['certificateRefs'][number];

export type CertificateResolution =
  { readonly certificates: readonly Certificate[] } | { readonly problem: c.Condition };

export function resolveCertificates(
  snapshot: StoreSnapshot,
  gateway: Gateway,
  refs: readonly CertificateRef[],
): CertificateResolution {
  if (refs.length === 0)
    return { problem: c.listenerInvalidCertificateRef('tls.certificateRefs names no certificate.') };
  const certificates: Certificate[] = [];
  for (const [i, ref] of refs.entries()) {
    const resolved = resolveOne(snapshot, gateway, ref, `tls.certificateRefs[${i}]`);
    if ('problem' in resolved) return resolved;
    certificates.push(resolved.certificate);
  }
  return { certificates };
}

function resolveOne(
  snapshot: StoreSnapshot,
  gateway: Gateway,
  ref: CertificateRef,
  field: string,
): { certificate: Certificate } | { problem: c.Condition } {
  const namespace = ref.namespace ?? gateway.metadata.namespace;
  const display = `${namespace}/${ref.name}`;
  if (ref.group !== '' || ref.kind !== 'Secret') {
    return {
      problem: c.listenerInvalidCertificateRef(
        `${field}: ${ref.group || 'core'}/${ref.kind} is not supported; refer to a core Secret.`,
      ),
    };
  }
  const from = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace };
  if (!referencePermitted(snapshot, from, { group: '', kind: 'Secret', namespace, name: ref.name })) {
    return { problem: c.listenerCertificateRefNotPermitted(`${field} (Secret ${display})`) };
  }
  const secret = snapshot.get('Secret', namespace, ref.name);
  if (!secret)
    return { problem: c.listenerInvalidCertificateRef(`${field}: Secret ${display} does not exist.`) };
  const pem = certificatePem(secret);
  if ('problem' in pem)
    return { problem: c.listenerInvalidCertificateRef(`${field}: Secret ${display} ${pem.problem}`) };
  return { certificate: { id: createHash('sha256').update(pem.pem).digest('hex'), pem: pem.pem } };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** `tls.crt` then `tls.key`, validated: the chain parses and its first certificate matches the key. */
function certificatePem(secret: Secret): { pem: string } | { problem: string } {
  const field = (key: string): string | undefined => {
    const text = secret.spec.stringData?.[key];
    if (text !== undefined) return text;
    const data = secret.spec.data[key];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  };
  const crt = field('tls.crt');
  const key = field('tls.key');
  if (crt === undefined || key === undefined) return { problem: 'lacks tls.crt or tls.key.' };
  const blocks = [...crt.matchAll(PEM_BLOCK)]
    .map((m) => m[0])
    .filter((b) => b.startsWith('-----BEGIN CERTIFICATE-----'));
  const keyBlock = [...key.matchAll(PEM_BLOCK)].map((m) => m[0]).find((b) => /PRIVATE KEY-----$/.test(b));
  if (blocks.length === 0 || !keyBlock)
    return { problem: 'does not hold a PEM certificate and private key.' };
  try {
    const leaf = new X509Certificate(blocks[0]!);
    for (const block of blocks.slice(1)) new X509Certificate(block);
    if (!leaf.checkPrivateKey(createPrivateKey(keyBlock)))
      return { problem: 'holds a private key that does not match its certificate.' };
  } catch {
    return { problem: 'holds a certificate or key that does not parse.' };
  }
  return { pem: `${blocks.join('\n')}\n${keyBlock}\n` };
}
