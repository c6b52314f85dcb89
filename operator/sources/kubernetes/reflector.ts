/**
 * One list+watch loop over one collection, the job client-go's Reflector does and client-node's
 * informer only half does (it stops on any error but 410, so one network blip would freeze a
 * kind forever). Here:
 * - every failure re-lists after an exponential backoff, and a re-list replaces the whole
 *   collection, so objects deleted while disconnected disappear too;
 * - 410 Expired re-lists at once (the history to resume from is gone, nothing is broken);
 * - a clean end of the stream (the server's `timeoutSeconds`) resumes from the last
 *   resourceVersion without listing; bookmarks keep that version fresh on quiet collections;
 * - 404 means the kind is not served (its CRD is missing): it holds no objects and is retried on
 *   a slow timer;
 * - a watch is abandoned if the server has not ended it well after `timeoutSeconds`, since
 *   client-node's Watch has no timeout of its own and a half-open connection would hang forever.
 * Callbacks from an abandoned attempt are ignored by comparing `epoch`.
 */
import { backoffDelay, type BackoffOptions } from '../../reconcile/backoff.js';
import type { Clock, Timer } from '../../reconcile/clock.js';
import { KubeApiError, type KubeTransport, type WatchHandle } from './transport.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ReflectorHandler {
  /** The complete current collection, after a (re-)list; empty while the kind is not served. */
  replace(items: readonly unknown[]): void;
  event(type: WatchEventType, object: unknown): void;
  /** The kind became unserved (404); called again only after it was served in between. */
  missing(retryInMs: number): void;
  failed(error: Error, attempt: number, retryInMs: number): void;
  /** The first list completed (or found the kind unserved); called once. */
  synced(): void;
}

export interface ReflectorOptions {
  readonly transport: KubeTransport;
  readonly path: string;
  readonly clock: Clock;
  readonly handler: ReflectorHandler;
  readonly backoff: BackoffOptions;
  readonly missingRetryMs: number;
  readonly watchTimeoutSeconds: number;
  readonly pageSize: number;
}

/** Past the server's own watch timeout, how long to wait before deciding the connection is dead. */
const WATCH_GRACE_MS = 30_000;

function errorOf(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

function resourceVersionOf(object: unknown): string | undefined {
  const meta = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : undefined;
}

/** The Status carried by a watch ERROR event. */
function watchError(path: string, object: unknown): KubeApiError {
  const status = (object ?? {}) as { code?: unknown; reason?: unknown; message?: unknown };
  const code = typeof status.code === 'number' ? status.code : 500;
  const reason = typeof status.reason === 'string' ? status.reason : undefined;
  const message = typeof status.message === 'string' ? status.message : 'no message';
  return new KubeApiError(code, reason, `WATCH ${path}: ERROR event: ${message}`);
}

export class Reflector {
  private epoch = 0;
  private stopped = true;
  private resourceVersion = '';
  private failures = 0;
  private missing = false;
  private synced = false;
  private retry: Timer | undefined;
  private watchdog: Timer | undefined;
  private listing: AbortController | undefined;
  private watching: WatchHandle | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReflectorOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.relist();
  }

  /** Ends every request and timer; resolves once nothing is left running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abandon();
    await this.inFlight;
  }

  private abandon(): number {
    this.epoch += 1;
    this.retry?.cancel();
    this.watchdog?.cancel();
    this.listing?.abort();
    this.watching?.abort();
    this.retry = this.watchdog = this.listing = this.watching = undefined;
    return this.epoch;
  }

  private relist(): void {
    this.inFlight = this.listAndWatch(this.abandon());
  }

  private schedule(delayMs: number): void {
    this.retry = this.options.clock.setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) this.relist();
    }, delayMs);
  }

  private async listAndWatch(epoch: number): Promise<void> {
    const { transport, path, pageSize, handler } = this.options;
    const controller = (this.listing = new AbortController());
    const items: unknown[] = [];
    let resourceVersion = '';
    try {
      let token: string | undefined;
      do {
        const query = { limit: String(pageSize), ...(token ? { continue: token } : {}) };
        const page = await transport.list(path, query, controller.signal);
        if (epoch !== this.epoch) return;
        items.push(...page.items);
        if (token === undefined) resourceVersion = page.resourceVersion;
        token = page.continue;
      } while (token);
    } catch (error) {
      if (epoch === this.epoch) this.onListFailure(errorOf(error));
      return;
    }
    this.listing = undefined;
    this.missing = false;
    this.resourceVersion = resourceVersion;
    handler.replace(items);
    this.markSynced();
    await this.watch(epoch);
  }

  private onListFailure(error: Error): void {
    this.listing = undefined;
    if (error instanceof KubeApiError && error.code === 404) {
      const { missingRetryMs, handler } = this.options;
      if (!this.missing) handler.missing(missingRetryMs);
      this.missing = true;
      this.failures = 0;
      handler.replace([]);
      this.markSynced();
      this.schedule(missingRetryMs);
      return;
    }
    // A paged list whose continue token expired starts over; it is not a failure.
    if (error instanceof KubeApiError && error.code === 410) return this.relist();
    this.fail(error);
  }

  private fail(error: Error): void {
    this.failures += 1;
    const delay = backoffDelay(this.failures, this.options.backoff);
    this.options.handler.failed(error, this.failures, delay);
    this.schedule(delay);
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.options.handler.synced();
  }

  private async watch(epoch: number): Promise<void> {
    const { transport, path, handler, clock, watchTimeoutSeconds } = this.options;
    let expired = false;
    let streamError: KubeApiError | undefined;
    let finished = false;
    const onEvent = (type: string, object: unknown): void => {
      if (epoch !== this.epoch) return;
      if (type === 'ERROR') {
        const error = watchError(path, object);
        if (error.code === 410) expired = true;
        else streamError = error;
        return;
      }
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') handler.event(type, object);
      this.resourceVersion = resourceVersionOf(object) ?? this.resourceVersion;
    };
    const onDone = (error: Error | null): void => {
      finished = true;
      if (epoch !== this.epoch) return;
      this.watchdog?.cancel();
      this.watching = this.watchdog = undefined;
      const failure = error ?? streamError;
      if (expired || (failure instanceof KubeApiError && failure.code === 410)) return this.relist();
      if (failure) return this.onListFailure(failure);
      // The server ended the watch as asked: the connection is healthy, resume where we were.
      this.failures = 0;
      this.inFlight = this.watch(epoch);
    };
    const query = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(watchTimeoutSeconds),
    };
    try {
      const handle = await transport.watch(path, query, onEvent, onDone);
      if (finished || epoch !== this.epoch) {
        handle.abort();
        return;
      }
      this.watching = handle;
      this.watchdog = clock.setTimeout(
        () => {
          if (epoch !== this.epoch) return;
          this.abandon();
          this.fail(
            new Error(`WATCH ${path}: the server did not end the watch after ${watchTimeoutSeconds}s`),
          );
        },
        watchTimeoutSeconds * 1000 + WATCH_GRACE_MS,
      );
    } catch (error) {
      if (epoch === this.epoch) this.onListFailure(errorOf(error));
    }
  }
}
