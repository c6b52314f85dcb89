/**
 * Self-signed TLS certificates as upstream's Setup makes them (reference §2.3): RSA 2048 with a
 * PKCS#1 key, one year, CN `default`, O `Acme Co`; each host becomes an IP SAN, a DNS SAN when it
 * is a valid DNS name (optionally `*.`-prefixed), or else a URI SAN, so `*` is a URI SAN.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;

function subjectAltName(hosts: readonly string[]): string {
  return hosts
    .map((host) => (isIP(host) ? `IP:${host}` : DNS_NAME.test(host) ? `DNS:${host}` : `URI:${host}`))
    .join(',');
}

export async function selfSignedCertificate(hosts: readonly string[]): Promise<KeyPair> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-conformance-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await execa('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '365',
      '-subj',
      '/O=Acme Co/CN=default',
      '-addext',
      `subjectAltName=${subjectAltName(hosts)}`,
      // The certificate is its own trust root in the HTTPS tests; `-x509` makes it CA:TRUE and
      // keyCertSign lets OpenSSL (Node's verifier) accept it as an anchor, as Go's verifier does.
      '-addext',
      'keyUsage=digitalSignature,keyEncipherment,keyCertSign',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    // `req` writes PKCS#8; upstream's Secrets hold PKCS#1 ("RSA PRIVATE KEY").
    await execa('openssl', ['rsa', '-in', key, '-traditional', '-out', key]);
    return { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
