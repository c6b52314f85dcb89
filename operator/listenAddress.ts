/**
 * Listen addresses of the operator's and the agent's HTTP endpoints: `:9090` (every interface),
 * `127.0.0.1:9090`, `[::1]:9090`.
 */
export function parseListenAddress(text: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) {
    throw new Error(`${JSON.stringify(text)} is not a [host]:port address such as :9090 or 127.0.0.1:9090`);
  }
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}
