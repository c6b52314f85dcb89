/**
 * A tiny echo backend and an HTTP client for the nginx integration test (test/integration/drivers/
 * nginx.test.ts); kept here beside the other nginx test helpers.
 */
import http from 'node:http';

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface Echoed {
  readonly backend: string;
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly connection: string | null;
  readonly version: string;
  readonly bodyBytes: number;
  /** Lowercased names; repeated lines joined with "," (no space), as the conformance suite does. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Request headers as the conformance suite compares them; Host is reported on its own. */
function joinedHeaders(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name !== 'host' && values) headers[name] = values.join(',');
  }
  return headers;
}

/**
 * Answers with what it received (`Echoed`), the request body only counted. Request headers
 * steer it: `x-no-content-type` (send none), `x-reply-bytes: N` (send N bytes), `x-hang` (never
 * answer), `x-echo-set-header: Name:value,Name2:value2` (send those response headers, like the
 * conformance echo server).
 */
export function startEcho(name: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      if (req.headers['x-hang'] !== undefined) return;
      if (req.headers['x-no-content-type'] === undefined) {
        res.setHeader('content-type', 'application/x-echo; charset=latin1');
      }
      for (const pair of String(req.headers['x-echo-set-header'] ?? '')
        .split(',')
        .filter(Boolean)) {
        const colon = pair.indexOf(':');
        res.appendHeader(pair.slice(0, colon), pair.slice(colon + 1));
      }
      const replyBytes = Number(req.headers['x-reply-bytes'] ?? 0);
      if (replyBytes > 0) return res.end(Buffer.alloc(replyBytes, 120));
      const { url = '', method = '', httpVersion: version, headers } = req;
      const connection = headers.connection ?? null;
      const echoed: Echoed = {
        backend: name,
        method,
        url,
        host: headers.host ?? '',
        connection,
        version,
        bodyBytes,
        headers: joinedHeaders(req),
      };
      res.end(JSON.stringify(echoed));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export interface Request {
  readonly address: string;
  readonly port: number;
  readonly method?: string;
  /** Sent as is: percent-encode anything Node's client refuses. */
  readonly path: string;
  readonly host: string;
  /** An array value sends the header once per element. */
  readonly headers?: Record<string, string | string[]>;
  readonly body?: Buffer;
}

/** One request on a fresh connection; resolves with the whole response body. */
export function request(r: Request): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { host: r.host, ...r.headers };
    const options = {
      method: r.method ?? 'GET',
      host: r.address,
      port: r.port,
      path: r.path,
      headers,
      agent: false,
    };
    const req = http.request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}
