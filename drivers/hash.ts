/**
 * The configuration hash a driver embeds in its status endpoint. It is computed from what the
 * rendering depends on (templates, model, target) rather than from the rendered bytes, because
 * those bytes contain the hash itself. render() is pure, so equal inputs mean equal bytes.
 */
import { createHash } from 'node:crypto';
import type { GatewayModel } from '../operator/model/types.js';
import type { RenderTarget } from './driver.js';

/** sha256 over the template digest, the model's digest and the target's JSON. */
export function renderHash(templateDigest: string, model: GatewayModel, target: RenderTarget): string {
  return createHash('sha256')
    .update(templateDigest)
    .update('\0')
    .update(modelDigest(model))
    .update('\0')
    .update(JSON.stringify(target))
    .digest('hex');
}

/**
 * sha256 of the model's JSON, where each virtual host and each upstream stands as the sha256 of
 * its own JSON: equal models, equal digests. Model objects are immutable and the resolver keeps
 * the identity of those that did not change, so their text and digest are computed once (memos
 * below): with thousands of hosts, a change hashes what changed and a list of digests.
 */
export function modelDigest(model: GatewayModel): string {
  let digest = digestMemo.get(model);
  if (digest === undefined) {
    const known = new Map<object, string>();
    for (const port of model.ports)
      for (const host of port.virtualHosts) known.set(host, JSON.stringify(digestOf(host)));
    for (const upstream of model.upstreams) known.set(upstream, JSON.stringify(digestOf(upstream)));
    digest = createHash('sha256')
      .update(stringifyReusing(model, known, KNOWN_DEPTH))
      .digest('hex');
    digestMemo.set(model, digest);
  }
  return digest;
}

const jsonMemo = new WeakMap<object, string>();
const digestMemo = new WeakMap<object, string>();

/** `JSON.stringify` of a model object, which is immutable: once per object. */
export function jsonOf(value: object): string {
  let text = jsonMemo.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    jsonMemo.set(value, text);
  }
  return text;
}

/** The digest is kept; the text only if someone kept it already (nginx's cache keys). */
function digestOf(value: object): string {
  let digest = digestMemo.get(value);
  if (digest === undefined) {
    digest = createHash('sha256')
      .update(jsonMemo.get(value) ?? JSON.stringify(value))
      .digest('hex');
    digestMemo.set(value, digest);
  }
  return digest;
}

/** How deep below the model `known` objects are looked for: a virtual host is at depth 4. */
const KNOWN_DEPTH = 4;

const isPlain = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !('toJSON' in value);
};

/** Omitted as an object member, `null` as an array element, exactly as JSON.stringify does. */
const skipped = (value: unknown): boolean =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

/**
 * `JSON.stringify(value)`, taking the text of objects in `known` as given. Only
 * plain objects and arrays down to `depth` levels are walked here; anything else goes to
 * JSON.stringify whole.
 */
function stringifyReusing(value: unknown, known: ReadonlyMap<object, string>, depth: number): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const text = known.get(value);
  if (text !== undefined) return text;
  if (depth === 0) return JSON.stringify(value);
  if (Array.isArray(value)) {
    // A loop, not map(): a hole is `null` too.
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      items.push(skipped(item) ? 'null' : stringifyReusing(item, known, depth - 1));
    }
    return `[${items.join(',')}]`;
  }
  if (!isPlain(value)) return JSON.stringify(value);
  const members: string[] = [];
  for (const key of Object.keys(value)) {
    const member: unknown = (value as Record<string, unknown>)[key];
    if (!skipped(member))
      members.push(`${JSON.stringify(key)}:${stringifyReusing(member, known, depth - 1)}`);
  }
  return `{${members.join(',')}}`;
}

/** Digest of template sources, so that a new gateplane version with new templates reloads. */
export function templateDigest(sources: readonly string[]): string {
  const hash = createHash('sha256');
  for (const source of sources) hash.update(source).update('\0');
  return hash.digest('hex');
}
