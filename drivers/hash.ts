/**
 * The configuration hash a driver embeds in its status endpoint. It is computed from what the
 * rendering depends on (templates, model, target) rather than from the rendered bytes, because
 * those bytes contain the hash itself. render() is pure, so equal inputs mean equal bytes.
 */
import { createHash } from 'node:crypto';
import { memoized } from '../operator/model/memo.js';
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
 * sha256 of the model's JSON with each port's virtual hosts and the upstreams replaced by their
 * number, followed by the sha256 of each virtual host's and each upstream's own JSON, in model
 * order: equal models, equal digests. Model objects are immutable and the resolver keeps the
 * identity of those that did not change, so their digests are computed once (memos below):
 * with thousands of hosts, a change hashes what changed and a list of digests. The list is fed
 * to the hash piece by piece rather than as one string: on the machines we measured, a string
 * over 128 KiB (V8's large objects) costs about a millisecond to allocate and hash.
 */
export const modelDigest = memoized((model: GatewayModel): string => {
  // Spread keeps every key where it was: the same text as the model with parts replaced.
  const standIn = {
    ...model,
    ports: model.ports.map((port) => ({ ...port, virtualHosts: port.virtualHosts.length })),
    upstreams: model.upstreams.length,
  };
  const hash = createHash('sha256').update(JSON.stringify(standIn)).update('\0');
  for (const port of model.ports) for (const host of port.virtualHosts) hash.update(partDigest(host));
  for (const upstream of model.upstreams) hash.update(partDigest(upstream));
  return hash.digest('hex');
});

const jsonMemo = new WeakMap<object, string>();
const partDigests = new WeakMap<object, string>();

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
function partDigest(value: object): string {
  let digest = partDigests.get(value);
  if (digest === undefined) {
    digest = createHash('sha256')
      .update(jsonMemo.get(value) ?? JSON.stringify(value))
      .digest('hex');
    partDigests.set(value, digest);
  }
  return digest;
}

/** Digest of template sources, so that a new gateplane version with new templates reloads. */
export function templateDigest(sources: readonly string[]): string {
  const hash = createHash('sha256');
  for (const source of sources) hash.update(source).update('\0');
  return hash.digest('hex');
}
