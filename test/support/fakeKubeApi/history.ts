/**
 * The change history behind watches: every write gets the next value of one global
 * resourceVersion, as etcd revisions do, and a watch replays what came after the version it
 * names. History is bounded; a watch from before the oldest retained change has been compacted
 * away and gets 410 Expired, which is what forces clients to re-list.
 */
import { isObject, type JsonObject } from './patches.js';
import type { Selector } from './selectors.js';
import { errors } from './statusErrors.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  readonly resourceVersion: number;
  readonly resource: string;
  readonly type: EventType;
  readonly object: JsonObject;
  /** The object before a MODIFIED change, to tell when it enters or leaves a selector. */
  readonly previous?: JsonObject;
}

export interface WatchScope {
  readonly resource: string;
  readonly namespace?: string;
  readonly selector: Selector;
}

export type Deliver = (type: EventType, object: JsonObject) => void;

function namespaceOf(object: JsonObject): string {
  const meta = object.metadata;
  return isObject(meta) && typeof meta.namespace === 'string' ? meta.namespace : '';
}

function inScope(scope: WatchScope, object: JsonObject | undefined): boolean {
  if (!object) return false;
  if (scope.namespace !== undefined && namespaceOf(object) !== scope.namespace) return false;
  return scope.selector(object);
}

/**
 * What a watcher with `scope` sees of `event`: an object that starts matching a selector is
 * ADDED to it and one that stops matching is DELETED, as the API server's watch cache does.
 */
export function project(
  scope: WatchScope,
  event: ChangeEvent,
): { type: EventType; object: JsonObject } | undefined {
  if (event.resource !== scope.resource) return undefined;
  const now = inScope(scope, event.object);
  if (event.type !== 'MODIFIED') return now ? { type: event.type, object: event.object } : undefined;
  const before = inScope(scope, event.previous);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: event.object };
  return before ? { type: 'DELETED', object: event.object } : undefined;
}

export class History {
  private events: ChangeEvent[] = [];
  // etcd starts at revision 1, so even an empty collection lists with a non-zero version (a
  // watch from "0" would mean "any version" and replay everything as ADDED).
  private latest = 1;
  /** Changes at or before this version are gone. */
  private compactedThrough = 1;
  private readonly subscribers = new Set<{ scope: WatchScope; deliver: Deliver }>();

  constructor(private readonly limit: number) {}

  get resourceVersion(): number {
    return this.latest;
  }

  /** Versions at or below this one are gone from the history. */
  get compactedResourceVersion(): number {
    return this.compactedThrough;
  }

  next(): number {
    this.latest += 1;
    return this.latest;
  }

  record(event: ChangeEvent): void {
    this.events.push(event);
    if (this.events.length > this.limit) {
      const dropped = this.events.splice(0, this.events.length - this.limit);
      this.compactedThrough = dropped.at(-1)?.resourceVersion ?? this.compactedThrough;
    }
    for (const { scope, deliver } of [...this.subscribers]) {
      const seen = project(scope, event);
      if (seen) deliver(seen.type, seen.object);
    }
  }

  /** Forget every change so far: any watch from an older version now gets 410. */
  compact(): void {
    this.events = [];
    this.compactedThrough = this.latest;
  }

  /**
   * Replay the changes after `from` to `deliver`, then keep delivering new ones until the
   * returned function is called. Throws 410 Expired if `from` was compacted away.
   */
  subscribe(scope: WatchScope, from: number, deliver: Deliver): () => void {
    if (from < this.compactedThrough) {
      throw errors.expired(`too old resource version: ${from} (${this.compactedThrough})`);
    }
    for (const event of this.events) {
      if (event.resourceVersion <= from) continue;
      const seen = project(scope, event);
      if (seen) deliver(seen.type, seen.object);
    }
    const subscriber = { scope, deliver };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }
}
