/** HTTP requests the way the conformance suite makes them: a new connection each, no redirects. */
import http from 'node:http';
import type { EchoResponse } from './echo.js';

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The echo server's JSON, when the response is `application/json`. */
  readonly echo?: EchoResponse;
  readonly text: string;
}

export interface RequestOptions {
  readonly address: string;
  readonly port: number;
  readonly path: string;
  readonly host?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export function request(options: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: options.address,
        port: options.port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: { ...(options.host ? { Host: options.host } : {}), ...options.headers },
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const echo =
            res.headers['content-type'] === 'application/json'
              ? (JSON.parse(text) as EchoResponse)
              : undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, echo, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Run `count` requests, `concurrency` at a time, and return the replies. */
export async function requestMany(
  options: RequestOptions,
  count: number,
  concurrency = 10,
): Promise<Reply[]> {
  const replies: Reply[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      replies.push(await request(options));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return replies;
}
