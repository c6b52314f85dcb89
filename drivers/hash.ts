/**
 * The configuration hash a driver embeds in its status endpoint. It is computed from what the
 * rendering depends on (templates, model, target) rather than from the rendered bytes, because
 * those bytes contain the hash itself. render() is pure, so equal inputs mean equal bytes.
 */
import { createHash } from 'node:crypto';
import { memoized } from '../operator/model/memo.js';
import type { GatewayModel, HttpListenerPort } from '../operator/model/types.js';
import type { RenderTarget } from './driver.js';
import { PortSeries } from './portSeries.js';

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
 * identity of those that did not change, so each part is hashed once (memos below), and a
 * port's host digests are the last port's with the hosts that differ replaced (portSeries.ts):
 * with thousands of hosts, a change hashes what changed and 32 bytes per host.
 */
export const modelDigest = memoized((model: GatewayModel): string => {
  // Spread keeps every key where it was: the same text as the model with parts replaced.
  const standIn = {
    ...model,
    ports: model.ports.map((port) => ({ ...port, virtualHosts: port.virtualHosts.length })),
    upstreams: model.upstreams.length,
  };
  const hash = createHash('sha256').update(JSON.stringify(standIn)).update('\0');
  for (const port of model.ports) hash.update(portHostDigests(port));
  // In hex, as the digest has always had it: the same models keep their configuration hash.
  for (const upstream of model.upstreams) hash.update(partDigest(upstream).toString('hex'));
  return hash.digest('hex');
});

/** The sha256 of each virtual host of the port, one after the other. */
const portHostDigests = memoized((port: HttpListenerPort): Buffer => hostDigestSeries.next(port));

const hostDigestSeries = new PortSeries<Buffer>(
  (port) => Buffer.concat(port.virtualHosts.map(partDigest)),
  (port, last, { start, beforeEnd, afterEnd }) =>
    Buffer.concat([
      last.subarray(0, DIGEST_BYTES * start),
      ...port.virtualHosts.slice(start, afterEnd).map(partDigest),
      last.subarray(DIGEST_BYTES * beforeEnd),
    ]),
);

const DIGEST_BYTES = 32;

const jsonMemo = new WeakMap<object, string>();

/** `JSON.stringify` of a model object, which is immutable: once per object. */
export function jsonOf(value: object): string {
  let text = jsonMemo.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    jsonMemo.set(value, text);
  }
  return text;
}

/**
 * sha256 of a model object's JSON, once per object. The digest is kept; the text only if someone
 * kept it already (nginx's cache keys).
 */
const partDigest = memoized((part: object): Buffer =>
  createHash('sha256')
    .update(jsonMemo.get(part) ?? JSON.stringify(part))
    .digest(),
);

/** Digest of template sources, so that a new gateplane version with new templates reloads. */
export function templateDigest(sources: readonly string[]): string {
  const hash = createHash('sha256');
  for (const source of sources) hash.update(source).update('\0');
  return hash.digest('hex');
}
