/**
 * `lastTransitionTime`, stamped the way the API conventions ask: it moves only when a
 * condition's status changes, so re-writing an unchanged condition keeps its time.
 */
import type { ObjectStatus, ResolvedCondition } from '../model/index.js';

export interface StampedCondition extends ResolvedCondition {
  readonly lastTransitionTime: string;
}

type Stamped<T> = T extends readonly ResolvedCondition[]
  ? readonly StampedCondition[]
  : T extends readonly (infer E)[]
    ? readonly Stamped<E>[]
    : T extends object
      ? { readonly [K in keyof T]: Stamped<T[K]> }
      : T;

export type StampedStatus = Stamped<ObjectStatus>;

const objectKey = (s: ObjectStatus | StampedStatus): string =>
  `${s.kind}/${s.metadata.namespace}/${s.metadata.name}`;

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Stamping {
  readonly input: ObjectStatus;
  readonly stamped: StampedStatus;
}

export class StatusStamper {
  private previous = new Map<string, Stamping>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /**
   * Stamp `statuses` against the previous call's output; objects gone from the input are
   * forgotten. Status objects are immutable: one given again as the same object (the resolver
   * reuses those of unchanged objects) gets the same stamped object back.
   */
  stamp(statuses: readonly ObjectStatus[]): StampedStatus[] {
    const time = rfc3339(this.now());
    const next = new Map<string, Stamping>();
    for (const status of statuses) {
      const key = objectKey(status);
      const old = this.previous.get(key);
      if (old?.input === status) {
        next.set(key, old);
        continue;
      }
      const times = new Map<string, string>();
      if (old) collectTimes(old.stamped.status, '', times);
      const stamped = { ...status, status: stampValue(status.status, '', times, time) } as StampedStatus;
      next.set(key, { input: status, stamped });
    }
    this.previous = next;
    return [...next.values()].map(({ stamped }) => stamped);
  }
}

/**
 * Conditions are identified by where they sit (`listeners[http]`, `parents[ns/gw/section]`) and
 * their type, so a listener's condition never inherits another listener's time.
 */
function collectTimes(value: unknown, at: string, times: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectTimes(item, `${at}[${identity(item)}]`, times);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.lastTransitionTime === 'string' && typeof record.type === 'string') {
      times.set(`${at}|${record.type}|${String(record.status)}`, record.lastTransitionTime);
    }
    for (const [key, child] of Object.entries(record)) collectTimes(child, `${at}.${key}`, times);
  }
}

function stampValue(value: unknown, at: string, times: Map<string, string>, now: string): unknown {
  if (Array.isArray(value))
    return value.map((item) => stampValue(item, `${at}[${identity(item)}]`, times, now));
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(record)) out[key] = stampValue(child, `${at}.${key}`, times, now);
  if (
    typeof record.type === 'string' &&
    typeof record.status === 'string' &&
    'observedGeneration' in record
  ) {
    out.lastTransitionTime = times.get(`${at}|${record.type}|${record.status}`) ?? now;
  }
  return out;
}

function identity(item: unknown): string {
  if (!item || typeof item !== 'object') return String(item);
  const record = item as Record<string, unknown>;
  if (typeof record.type === 'string' && 'observedGeneration' in record) return '';
  if (typeof record.name === 'string') return record.name;
  const ref = record.parentRef as Record<string, unknown> | undefined;
  if (ref) return [ref.namespace, ref.name, ref.sectionName ?? '', ref.port ?? ''].join('/');
  return JSON.stringify(item);
}
