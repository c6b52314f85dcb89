/**
 * Request dispatch: one function per verb family, each answering as the API server would, with
 * failures thrown as ApiError and turned into a Status response by the caller.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeObjects } from './objects.js';
import { isObject, type JsonObject } from './patches.js';
import { listPage } from './listing.js';
import { patchObject } from './patchRequest.js';
import type { FakeResource } from './resources.js';
import { route } from './routes.js';
import { selectorFrom, type Selector } from './selectors.js';
import { errors } from './statusErrors.js';
import { WatchStream } from './watchStream.js';

export interface HandlerContext {
  readonly objects: FakeObjects;
  readonly watches: Set<WatchStream>;
  served(): FakeResource[];
  /** Watch delivery is held back (see FakeKubeApi.pauseWatches). */
  paused(): boolean;
}

export interface ParsedRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly text: string;
  readonly contentType: string;
}

export function dispatch(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  request: ParsedRequest,
): void {
  const found = route(request.path, ctx.served());
  if (found.outcome === 'noGroupVersion') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    return;
  }
  if (found.outcome === 'noResource') throw errors.noResource();
  const { resource, name, subresource } = found;
  if (subresource !== undefined && (subresource !== 'status' || !resource.statusSubresource))
    throw errors.noResource();
  const namespace = found.namespace ?? '';
  const { query } = request;
  const fieldManager = query.fieldManager;
  const status = subresource === 'status' ? ({ subresource: 'status' } as const) : {};
  const method = req.method ?? 'GET';

  if (name === undefined) {
    if (method === 'GET') {
      const selector = selectorFrom(query.labelSelector, query.fieldSelector);
      const scope = found.namespace;
      if (query.watch === 'true' || query.watch === '1') {
        openWatch(ctx, req, res, {
          resource,
          selector,
          query,
          ...(scope !== undefined ? { namespace: scope } : {}),
        });
        return;
      }
      send(
        res,
        200,
        listPage(ctx.objects, {
          resource,
          selector,
          query,
          ...(scope !== undefined ? { namespace: scope } : {}),
        }),
      );
      return;
    }
    if (method !== 'POST' || (resource.namespaced && found.namespace === undefined))
      throw errors.methodNotAllowed();
    const body = parseObjectBody(request.text);
    send(res, 201, ctx.objects.create(resource, namespace, body, fieldManager ? { fieldManager } : {}));
    return;
  }

  const target = { namespace, name };
  switch (method) {
    case 'GET':
      send(res, 200, ctx.objects.get(resource, namespace, name));
      return;
    case 'PUT':
      send(
        res,
        200,
        ctx.objects.update(resource, target, parseObjectBody(request.text), {
          ...status,
          requireVersion: true,
          ...(fieldManager ? { fieldManager } : {}),
        }),
      );
      return;
    case 'PATCH': {
      const { object, created } = patchObject(ctx.objects, {
        resource,
        namespace,
        name,
        ...status,
        contentType: request.contentType,
        text: request.text,
        ...(fieldManager ? { fieldManager } : {}),
      });
      send(res, created ? 201 : 200, object);
      return;
    }
    case 'DELETE': {
      const options = request.text ? parseObjectBody(request.text) : {};
      send(
        res,
        200,
        ctx.objects.delete(
          resource,
          namespace,
          name,
          isObject(options.preconditions) ? options.preconditions : {},
        ),
      );
      return;
    }
    default:
      throw errors.methodNotAllowed();
  }
}

function openWatch(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  request: {
    resource: FakeResource;
    namespace?: string;
    selector: Selector;
    query: Record<string, string>;
  },
): void {
  const { query } = request;
  const version = query.resourceVersion;
  let from: number | undefined;
  if (version !== undefined && version !== '' && version !== '0') {
    from = Number(version);
    if (!Number.isInteger(from)) throw errors.badRequest(`invalid resource version "${version}"`);
  }
  const timeout = query.timeoutSeconds === undefined ? undefined : Number(query.timeoutSeconds);
  const stream = new WatchStream(
    req,
    res,
    {
      resource: request.resource,
      ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
      selector: request.selector,
      ...(from !== undefined ? { from } : {}),
      bookmarks: query.allowWatchBookmarks === 'true',
      ...(timeout !== undefined && Number.isFinite(timeout) ? { timeoutSeconds: timeout } : {}),
    },
    (closed) => ctx.watches.delete(closed),
  );
  ctx.watches.add(stream);
  if (ctx.paused()) stream.pause();
  stream.open(ctx.objects);
}

export function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseObjectBody(text: string): JsonObject {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw errors.badRequest(`error decoding request body: ${(error as Error).message}`);
  }
  if (!isObject(body)) throw errors.badRequest('the request body must be a JSON object');
  return body;
}
