/**
 * Self-signed TLS certificates as upstream's Setup makes them (reference §2.3): RSA 2048 with a
 * PKCS#1 key, one year, CN `default`, O `Acme Co`; each host becomes an IP SAN, a DNS SAN when it
 * is a valid DNS name (optionally `*.`-prefixed), or else a URI SAN, so `*` is a URI SAN.
 */
import { selfSignedCertificate as makeSelfSigned, type KeyPair } from '../../support/tls.js';

export type { KeyPair };

export function selfSignedCertificate(hosts: readonly string[]): Promise<KeyPair> {
  return makeSelfSigned({
    hosts,
    days: 365,
    subject: '/O=Acme Co/CN=default',
    // The certificate is its own trust root in the HTTPS tests; `-x509` makes it CA:TRUE and
    // keyCertSign lets OpenSSL (Node's verifier) accept it as an anchor, as Go's verifier does.
    extensions: ['keyUsage=digitalSignature,keyEncipherment,keyCertSign', 'extendedKeyUsage=serverAuth'],
    // Upstream's Secrets hold PKCS#1 keys ("RSA PRIVATE KEY").
    pkcs1: true,
  });
}

/** A `kubernetes.io/tls` Secret holding the pair, base64 in `data` as the API serves it. */
export function tlsSecret(name: string, namespace: string, pair: KeyPair) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(pair.certPem).toString('base64'),
      'tls.key': Buffer.from(pair.keyPem).toString('base64'),
    },
  } as const;
}
