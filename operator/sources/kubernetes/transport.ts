/**
 * The two calls a reflector makes, over client-node's KubeConfig (credentials, TLS, proxies):
 * a paged LIST and a WATCH stream.
 *
 * LIST is a plain GET with the agent and headers client-node prepares, not a typed API call:
 * the typed calls deserialize into model classes (timestamps become Date objects, and unknown
 * fields are dropped), while watch events arrive as the raw JSON. Both must reach parseObject
 * in the same shape. WATCH is client-node's own `Watch`.
 */
import http from 'node:http';
import https from 'node:https';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

/** A request the API server answered with an error status; `reason` is from its Status body. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface WatchHandle {
  abort(): void;
}

export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

export interface KubeTransport {
  list(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal): Promise<ListPage>;
  /** `onDone` runs once: with null when the server ended the stream, else with the error. */
  watch(
    path: string,
    query: Readonly<Record<string, string>>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (error: Error | null) => void,
  ): Promise<WatchHandle>;
}

const listBody = z.object({
  metadata: z.object({ resourceVersion: z.string().default(''), continue: z.string().optional() }).default({
    resourceVersion: '',
  }),
  items: z
    .array(z.unknown())
    .nullish()
    .transform((items) => items ?? []),
});

const statusBody = z.object({ reason: z.string().optional(), message: z.string().optional() });

function apiError(code: number, text: string, what: string): KubeApiError {
  let status: z.output<typeof statusBody> = {};
  try {
    const parsed = statusBody.safeParse(JSON.parse(text));
    if (parsed.success) status = parsed.data;
  } catch {
    // Not a Status: a plain-text 404 from a path that is not served, or a proxy's error page.
  }
  return new KubeApiError(
    code,
    status.reason,
    `${what}: HTTP ${code}${status.message ? `: ${status.message}` : ''}`,
  );
}

async function getJson(kc: KubeConfig, path: string, signal: AbortSignal): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(server + path);
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const send = url.protocol === 'http:' ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { ...options, method: 'GET', headers: { ...options.headers, Accept: 'application/json' }, signal },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code !== 200) return reject(apiError(code, text, `GET ${path}`));
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(new Error(`GET ${path}: the response is not JSON`, { cause: error }));
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function clientNodeTransport(kc: KubeConfig): KubeTransport {
  const watcher = new Watch(kc);
  return {
    async list(path, query, signal) {
      const search = new URLSearchParams(query).toString();
      const body = listBody.safeParse(await getJson(kc, search ? `${path}?${search}` : path, signal));
      if (!body.success) throw new Error(`GET ${path}: the response is not a list`);
      const { metadata, items } = body.data;
      return {
        items,
        resourceVersion: metadata.resourceVersion,
        ...(metadata.continue ? { continue: metadata.continue } : {}),
      };
    },
    async watch(path, query, onEvent, onDone) {
      const controller = await watcher.watch(path, { ...query }, onEvent, (error: unknown) => {
        if (error === null || error === undefined) return onDone(null);
        // client-node reports a non-200 answer as an Error carrying `statusCode`.
        const code = (error as { statusCode?: unknown }).statusCode;
        onDone(
          typeof code === 'number'
            ? new KubeApiError(code, undefined, `WATCH ${path}: HTTP ${code}`)
            : error instanceof Error
              ? error
              : new Error(`WATCH ${path} failed`, { cause: error }),
        );
      });
      return { abort: () => controller.abort() };
    },
  };
}
