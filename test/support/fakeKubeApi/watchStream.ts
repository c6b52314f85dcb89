/**
 * One open watch: newline-delimited JSON events on a chunked 200 response, as the API server
 * streams them. A watch from a compacted resourceVersion still gets 200, then one ERROR event
 * carrying a 410 Status, then the end of the stream: that is how real clients learn to re-list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeObjects } from './objects.js';
import { apiVersionOf, type FakeResource } from './resources.js';
import type { Selector } from './selectors.js';
import { ApiError } from './statusErrors.js';

export interface WatchRequest {
  readonly resource: FakeResource;
  readonly namespace?: string;
  readonly selector: Selector;
  /** Undefined: the current state as ADDED events first. */
  readonly from?: number;
  readonly bookmarks: boolean;
  readonly timeoutSeconds?: number;
}

export class WatchStream {
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Events held back while delivery is paused, in order. */
  private held: string[] | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly request: WatchRequest,
    private readonly onClose: (stream: WatchStream) => void,
  ) {}

  open(objects: FakeObjects): void {
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    this.res.flushHeaders();
    this.res.on('close', () => this.cleanup());
    this.req.on('close', () => this.cleanup());
    const { resource, namespace, selector, from, timeoutSeconds } = this.request;
    try {
      this.unsubscribe = objects.watch(
        { resource, ...(namespace !== undefined ? { namespace } : {}), selector },
        from,
        (type, object) => this.send(type, object),
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.send('ERROR', error.body);
      this.end();
      return;
    }
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      this.timer = setTimeout(() => this.end(), timeoutSeconds * 1000);
    }
  }

  bookmark(resourceVersion: number): void {
    if (!this.request.bookmarks) return;
    const { resource } = this.request;
    this.send('BOOKMARK', {
      kind: resource.kind,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion: String(resourceVersion) },
    });
  }

  /** The server closes the stream cleanly, as on `timeoutSeconds`. */
  end(): void {
    this.cleanup();
    this.res.end();
  }

  /** The connection breaks without a clean end, as on a network cut. */
  drop(): void {
    this.cleanup();
    this.res.destroy();
    this.req.socket.destroy();
  }

  /** Hold events back, as a slow network or a busy client would, until `resume()`. */
  pause(): void {
    this.held ??= [];
  }

  resume(): void {
    const held = this.held ?? [];
    this.held = undefined;
    if (!this.closed) for (const line of held) this.res.write(line);
  }

  private send(type: string, object: unknown): void {
    if (this.closed) return;
    const line = `${JSON.stringify({ type, object })}\n`;
    if (this.held) this.held.push(line);
    else this.res.write(line);
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.onClose(this);
  }
}
