/**
 * TLS termination on HTTPS ports: certificate files, and which ones each server block offers.
 *
 * nginx picks the server block for a TLS handshake by SNI with the same `server_name` lookup it
 * uses for the Host header (exact, longest leading wildcard, default server), which is the
 * model's order; the block's `ssl_certificate`s are offered. A handshake without SNI or with an
 * unknown one lands on the port's default server, which offers the port's `defaultCertificate`.
 * Requests are then routed by Host as on plain HTTP (nginx 1.22 only refuses an SNI/Host
 * mismatch when client certificates differ, which gateplane does not configure).
 */
import path from 'node:path';
import { SAFE_IDENTIFIER } from '../../operator/model/names.js';
import type { Certificate, GatewayModel, HttpListenerPort, VirtualHost } from '../../operator/model/types.js';
import type { ConfigFile } from '../driver.js';

/** Chain and key in one file: nginx reads the certificates from it and skips the key block. */
export function certificateFile(certificate: Certificate): ConfigFile {
  // The id names a file: one path segment, so content addressing cannot be steered elsewhere.
  if (!SAFE_IDENTIFIER.test(certificate.id))
    throw new Error(`internal: certificate id ${JSON.stringify(certificate.id)} cannot name a file`);
  return { path: `certs/${certificate.id}.pem`, content: certificate.pem, mode: 0o600 };
}

export function certificateFiles(model: GatewayModel): ConfigFile[] {
  return model.certificates.map(certificateFile);
}

export interface TlsContext {
  readonly runtimeDir: string;
  readonly known: ReadonlySet<string>;
}

function certificatePath(id: string, context: TlsContext): string {
  if (!context.known.has(id)) throw new Error(`internal: certificate ${id} is not in the model`);
  const file = path.join(context.runtimeDir, 'certs', `${id}.pem`);
  // ssl_certificate expands variables (nginx loads such certificates per handshake, from the
  // workers, which may not read the runtime directory): a `$` in the path must not reach it.
  if (file.includes('$')) throw new Error(`runtime directory ${context.runtimeDir} must not contain "$"`);
  return file;
}

/**
 * Certificate paths a server block offers: the virtual host's own, or the port's default for the
 * block that answers unknown hosts (and for a host that names none). Empty on plain HTTP.
 */
export function serverCertificates(
  port: HttpListenerPort,
  host: VirtualHost | null,
  context: TlsContext,
): string[] {
  if (port.protocol !== 'HTTPS') return [];
  const ids = host && host.certificates.length > 0 ? host.certificates : [port.defaultCertificate];
  return ids.map((id) => {
    if (id === undefined) throw new Error(`internal: HTTPS port ${port.port} has no default certificate`);
    return certificatePath(id, context);
  });
}
