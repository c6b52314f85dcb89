/**
 * TLS termination for an HTTPS port, with the certificate chosen by SNI exactly as the Host header
 * chooses the virtual host: exact name, then the longest wildcard (one label or more), then `*`.
 *
 * HAProxy's own SNI selection (crt-list filters) cannot do that: its `*.example.com` matches one
 * label only, so `a.b.example.com` would get the default certificate. Instead, per HTTPS port:
 *
 *   frontend tls-<port> (mode tcp, the public address): reads the SNI from the ClientHello and
 *     picks a certificate set with the same tests as virtual hosts, in the model's order;
 *   backend tls-<port>-<n>: passes the connection, with a PROXY v2 header, to a unix socket
 *     `<runtimeDir>/tls-<port>-<n>.sock`;
 *   frontend https-<port>: binds those sockets, each with its own certificates, terminates TLS
 *     (1.2 or later) and routes HTTP like any port.
 *
 * A handshake whose SNI matches no virtual host, or that has none, gets `defaultCertificate`.
 */
import path from 'node:path';
import type { Certificate, HttpListenerPort } from '../../operator/model/types.js';
import type { RenderTarget } from '../driver.js';
import { hostnameCondition, type ConditionView } from './match.js';

export interface TlsRouterView {
  readonly name: string;
  readonly port: number;
  /** user: `<address>:<port>`. */
  readonly bind: string;
  readonly routes: readonly SniRouteView[];
  readonly defaultBackend: string;
  readonly hops: readonly HopView[];
}

export interface SniRouteView {
  readonly vhost: number;
  /** user: shown quoted in a comment. */
  readonly hostname: string;
  readonly backend: string;
  /** Empty for the catch-all, which still needs an SNI: without one, the default applies. */
  readonly conditions: readonly ConditionView[];
}

export interface HopView {
  readonly name: string;
  /** user: `unix@<runtimeDir>/tls-<port>-<n>.sock`. */
  readonly address: string;
}

export interface BindView {
  /** user */
  readonly address: string;
  readonly isTls: boolean;
  /** user: absolute paths of the certificate files, the first one HAProxy's default. */
  readonly certFiles: readonly string[];
}

/** Where a certificate is written, relative to the runtime directory: named by its content. */
export function certificateFile(id: string): string {
  // The id names a file: only a sha256 hex digest, as the model promises, may do that.
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new Error(`internal: certificate id ${JSON.stringify(id)} is not a sha256`);
  return `certs/${id}.pem`;
}

/** A unix socket path must fit in sockaddr_un.sun_path (108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

export function tlsListener(
  port: HttpListenerPort,
  target: RenderTarget,
  certificates: readonly Certificate[],
  publicBind: string,
): { router: TlsRouterView; binds: BindView[] } {
  const known = new Set(certificates.map((certificate) => certificate.id));
  const fallback = port.defaultCertificate ?? port.virtualHosts.flatMap((host) => host.certificates)[0];
  if (fallback === undefined) throw new Error(`internal: HTTPS port ${port.port} has no certificate`);
  // Virtual hosts with the same certificates share one socket.
  const sets: string[][] = [];
  const setIndex = (ids: readonly string[]): number => {
    for (const id of ids) {
      if (!known.has(id)) throw new Error(`internal: port ${port.port} uses unknown certificate ${id}`);
    }
    const key = ids.join(',');
    const found = sets.findIndex((set) => set.join(',') === key);
    if (found >= 0) return found;
    sets.push([...ids]);
    return sets.length - 1;
  };
  const name = `tls-${port.port}`;
  const routes = port.virtualHosts.map((host, vhost): SniRouteView => {
    const set = setIndex(host.certificates.length > 0 ? host.certificates : [fallback]);
    const condition = hostnameCondition('req.ssl_sni,lower', host.hostname);
    return {
      vhost,
      hostname: host.hostname,
      backend: `${name}-${set}`,
      conditions: condition
        ? [condition]
        : [{ fetch: 'req.ssl_sni', method: 'found', hasPattern: false, pattern: '' }],
    };
  });
  const defaultBackend = `${name}-${setIndex([fallback])}`;
  const sockets = sets.map((_, index) => socketAddress(target.runtimeDir, `${name}-${index}.sock`));
  return {
    router: {
      name,
      port: port.port,
      bind: publicBind,
      routes,
      defaultBackend,
      hops: sockets.map((address, index) => ({ name: `${name}-${index}`, address })),
    },
    binds: sets.map((ids, index) => ({
      address: sockets[index]!,
      isTls: true,
      certFiles: ids.map((id) => path.join(target.runtimeDir, certificateFile(id))),
    })),
  };
}

function socketAddress(runtimeDir: string, file: string): string {
  const socket = path.join(runtimeDir, file);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH)
    throw new Error(`runtime directory ${runtimeDir} is too long for the unix socket ${socket}`);
  return `unix@${socket}`;
}
