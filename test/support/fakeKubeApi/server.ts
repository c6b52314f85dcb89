/**
 * An HTTP server on 127.0.0.1 that speaks the parts of the Kubernetes API gateplane uses: list
 * and watch with resourceVersions, get/create/update/patch/delete, the status subresource,
 * optimistic concurrency and Status error bodies. Test hooks simulate what is hard to provoke on
 * a real cluster: compaction (410), network cuts, missing CRDs and injected failures. Every
 * request is recorded so tests can count writes.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dispatch, parseMaybeJson, readBody, send, type HandlerContext } from './handler.js';
import { FakeObjects } from './objects.js';
import { isObject, type JsonObject } from './patches.js';
import {
  apiVersionOf,
  DEFAULT_RESOURCES,
  qualifiedName,
  resourceId,
  type FakeResource,
} from './resources.js';
import { ApiError, errors } from './statusErrors.js';
import type { WatchStream } from './watchStream.js';

export interface FakeKubeApiOptions {
  readonly resources?: readonly FakeResource[];
  /** Resources not installed at start (`tcproutes.gateway.networking.k8s.io`); see `install`. */
  readonly notInstalled?: readonly string[];
  /** Changes kept for watches to resume from; older resourceVersions get 410. */
  readonly historyLimit?: number;
  readonly enforceNamespaces?: boolean;
  readonly now?: () => Date;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType?: string;
  /** Parsed JSON when the body is JSON, else the raw text; undefined without a body. */
  readonly body?: unknown;
}

export interface Fault {
  readonly method?: string;
  readonly path?: RegExp;
  readonly watch?: boolean;
  readonly status: number;
  /** How many requests fail; unlimited when absent. */
  readonly times?: number;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  readonly objects: FakeObjects;
  private readonly known = new Map<string, FakeResource>();
  private readonly installed = new Map<string, FakeResource>();
  private readonly watches = new Set<WatchStream>();
  private readonly faults: { fault: Fault; left: number }[] = [];
  private server: http.Server | undefined;
  private paused = false;
  private port = 0;
  private readonly context: HandlerContext;

  private constructor(options: FakeKubeApiOptions) {
    const notInstalled = new Set(options.notInstalled ?? []);
    for (const resource of options.resources ?? DEFAULT_RESOURCES) {
      this.known.set(qualifiedName(resource), resource);
      if (!notInstalled.has(qualifiedName(resource))) this.installed.set(resourceId(resource), resource);
    }
    this.objects = new FakeObjects(
      {
        historyLimit: options.historyLimit ?? 10_000,
        now: options.now ?? (() => new Date()),
        enforceNamespaces: options.enforceNamespaces ?? false,
      },
      (id) => this.installed.get(id),
    );
    this.context = {
      objects: this.objects,
      watches: this.watches,
      served: () => [...this.installed.values()],
      paused: () => this.paused,
    };
  }

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const api = new FakeKubeApi(options);
    const server = http.createServer((req, res) => void api.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api.server = server;
    api.port = (server.address() as AddressInfo).port;
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const watch of [...this.watches]) watch.drop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A served or not-yet-installed resource by its qualified name (`gateways.gateway.networking.k8s.io`). */
  resource(name: string): FakeResource {
    const resource = this.known.get(name);
    if (!resource) throw new Error(`the fake API server knows no resource ${name}`);
    return resource;
  }

  // ---- test hooks -------------------------------------------------------------------------

  /** Forget the change history: every watch resuming from before now gets 410 Expired. */
  compact(): void {
    this.objects.history.compact();
  }

  /** Cut every open watch connection, as a network failure would. */
  dropWatches(): void {
    for (const watch of [...this.watches]) watch.drop();
  }

  /** End every open watch cleanly, as the server does when `timeoutSeconds` runs out. */
  closeWatches(): void {
    for (const watch of [...this.watches]) watch.end();
  }

  /** Send a BOOKMARK with the current resourceVersion to watches that asked for them. */
  sendBookmarks(): void {
    for (const watch of this.watches) watch.bookmark(this.objects.history.resourceVersion);
  }

  /**
   * Hold back watch events (on open watches and new ones) until the returned function is called:
   * the client's view lags the server's, as it does in a busy cluster.
   */
  pauseWatches(): () => void {
    this.paused = true;
    for (const watch of this.watches) watch.pause();
    return () => {
      this.paused = false;
      for (const watch of [...this.watches]) watch.resume();
    };
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /** Install a resource's CRD. */
  install(name: string): void {
    const resource = this.resource(name);
    this.installed.set(resourceId(resource), resource);
  }

  /** Remove a resource's CRD: its objects go and its watches end. */
  uninstall(name: string): void {
    const resource = this.resource(name);
    this.installed.delete(resourceId(resource));
    this.objects.dropResource(resource);
    for (const watch of [...this.watches]) if (watch.request.resource === resource) watch.end();
  }

  /** Fail matching requests with `status` until the returned function is called (or `times` ran out). */
  injectFault(fault: Fault): () => void {
    const entry = { fault, left: fault.times ?? Number.POSITIVE_INFINITY };
    this.faults.push(entry);
    return () => void this.faults.splice(this.faults.indexOf(entry) >>> 0, 1);
  }

  writes(filter: (request: RecordedRequest) => boolean = () => true): RecordedRequest[] {
    return this.requests.filter((r) => WRITE_METHODS.has(r.method) && filter(r));
  }

  /** Create or replace an object without an HTTP round trip (the changes are watched all the same). */
  put(object: JsonObject): JsonObject {
    const { resource, namespace, name } = this.locate(object);
    const meta = isObject(object.metadata) ? object.metadata : {};
    const target = { namespace, name };
    let written = this.objects.find(resource, namespace, name)
      ? this.objects.update(resource, target, { ...object, metadata: { ...meta, resourceVersion: null } })
      : this.objects.create(resource, namespace, object);
    // Writes to the object itself ignore its status, as they do over HTTP: set it as a controller would.
    if (object.status !== undefined && resource.statusSubresource) {
      written = this.objects.update(resource, target, { status: object.status }, { subresource: 'status' });
    }
    return written;
  }

  remove(object: { apiVersion: string; kind: string; metadata: { namespace?: string; name: string } }): void {
    const { resource, namespace, name } = this.locate(object);
    this.objects.delete(resource, namespace, name);
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): JsonObject | undefined {
    const { resource } = this.locate({ apiVersion, kind, metadata: { name, namespace } });
    return this.objects.find(resource, resource.namespaced ? namespace : '', name);
  }

  private locate(object: { apiVersion?: unknown; kind?: unknown; metadata?: unknown }): {
    resource: FakeResource;
    namespace: string;
    name: string;
  } {
    const resource = [...this.installed.values()].find(
      (r) => apiVersionOf(r) === object.apiVersion && r.kind === object.kind,
    );
    if (!resource)
      throw new Error(
        `the fake API server does not serve ${JSON.stringify(object.apiVersion)} ${JSON.stringify(object.kind)}`,
      );
    const meta = isObject(object.metadata) ? object.metadata : {};
    const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
    const namespace = resource.namespaced ? text(meta.namespace, 'default') : '';
    return { resource, namespace, name: text(meta.name, '') };
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = await readBody(req);
    const contentType = req.headers['content-type'];
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      ...(contentType ? { contentType } : {}),
      ...(text ? { body: parseMaybeJson(text) } : {}),
    });
    try {
      this.checkFaults(req.method ?? 'GET', url.pathname, query.watch === 'true' || query.watch === '1');
      dispatch(this.context, req, res, { path: url.pathname, query, text, contentType: contentType ?? '' });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      send(res, error.body.code, error.body);
    }
  }

  private checkFaults(method: string, path: string, watch: boolean): void {
    for (const entry of this.faults) {
      const { fault } = entry;
      if (entry.left <= 0) continue;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (fault.path !== undefined && !fault.path.test(path)) continue;
      if (fault.watch !== undefined && fault.watch !== watch) continue;
      entry.left -= 1;
      throw errors.injected(fault.status);
    }
  }
}
