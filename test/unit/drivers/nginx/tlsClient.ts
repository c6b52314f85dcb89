/**
 * TLS helpers for the nginx tests: self-signed certificates made by the real openssl, and a client
 * that reports which certificate a handshake got and what a request over it answered.
 */
import https from 'node:https';
import tls from 'node:tls';
import { selfSignedCertificate } from '../../../support/tls.js';
import type { Certificate } from '../../../../operator/model/types.js';
import { certificate } from './fixtures.js';
import type { Reply } from './echo.js';

export interface TestCertificate {
  /** The model's certificate: chain then key. */
  readonly model: Certificate;
  /** The certificate alone, for a client's `ca`. */
  readonly cert: string;
}

/** A self-signed RSA certificate for `names` (subjectAltName DNS entries), CN = `cn`. */
export async function selfSigned(cn: string, names: readonly string[]): Promise<TestCertificate> {
  const pair = await selfSignedCertificate({ hosts: names, subject: `/CN=${cn}` });
  return { model: certificate(pair.certPem + pair.keyPem), cert: pair.certPem };
}

export interface Handshake {
  /** The subject CN of the certificate the server offered. */
  readonly cn: string;
  readonly protocol: string | null;
}

/** Handshake only; `servername` undefined sends no SNI (Node sends none to an IP address). */
export function handshake(address: string, port: number, servername?: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: address, port, rejectUnauthorized: false, ...(servername ? { servername } : {}) },
      () => {
        const subject = socket.getPeerCertificate().subject as { CN?: string } | undefined;
        resolve({ cn: subject?.CN ?? '', protocol: socket.getProtocol() });
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

export interface HttpsRequest {
  readonly address: string;
  readonly port: number;
  readonly servername: string;
  readonly host: string;
  readonly path: string;
  /** Trust anchor: the request fails unless the server offers this certificate for `servername`. */
  readonly ca: string;
}

export function httpsRequest(r: HttpsRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = {
      host: r.address,
      port: r.port,
      servername: r.servername,
      path: r.path,
      headers: { host: r.host },
      ca: r.ca,
      agent: false as const,
    };
    const req = https.request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}
