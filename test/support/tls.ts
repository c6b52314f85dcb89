/**
 * TLS for tests: self-signed certificates made by the real openssl, and a handshake that says
 * which certificate a server offered.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { execa } from 'execa';

export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateRequest {
  /** Each becomes an IP SAN, a DNS SAN when it is a DNS name (`*.` allowed), else a URI SAN. */
  readonly hosts: readonly string[];
  readonly subject?: string;
  readonly days?: number;
  /** Extra `-addext` values. */
  readonly extensions?: readonly string[];
  /** Write the key as PKCS#1 (`RSA PRIVATE KEY`), as Kubernetes tooling often does. */
  readonly pkcs1?: boolean;
}

const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;

function subjectAltName(hosts: readonly string[]): string {
  return hosts.map((h) => (isIP(h) ? `IP:${h}` : DNS_NAME.test(h) ? `DNS:${h}` : `URI:${h}`)).join(',');
}

/** RSA 2048, self-signed. */
export async function selfSignedCertificate(request: CertificateRequest): Promise<KeyPair> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const extensions = [`subjectAltName=${subjectAltName(request.hosts)}`, ...(request.extensions ?? [])];
    await execa('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      String(request.days ?? 2),
      '-subj',
      request.subject ?? '/CN=default',
      ...extensions.flatMap((e) => ['-addext', e]),
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    if (request.pkcs1) await execa('openssl', ['rsa', '-in', key, '-traditional', '-out', key]);
    return { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Handshake only; resolves the subject CN of the certificate the server offered. */
export function offeredCertificateCN(address: string, port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: address, port, rejectUnauthorized: false, ...(servername ? { servername } : {}) },
      () => {
        const subject = socket.getPeerCertificate().subject as { CN?: string } | undefined;
        resolve(subject?.CN ?? '');
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}
