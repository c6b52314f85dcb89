/**
 * The configuration hash a driver embeds in its status endpoint. It is computed from what the
 * rendering depends on (templates, model, target) rather than from the rendered bytes, because
 * those bytes contain the hash itself. render() is pure, so equal inputs mean equal bytes.
 */
import { createHash } from 'node:crypto';
import type { GatewayModel } from '../operator/model/types.js';
import type { RenderTarget } from './driver.js';

export function renderHash(templateDigest: string, model: GatewayModel, target: RenderTarget): string {
  return createHash('sha256')
    .update(templateDigest)
    .update('\0')
    .update(JSON.stringify(model))
    .update('\0')
    .update(JSON.stringify(target))
    .digest('hex');
}

/** Digest of template sources, so that a new gateplane version with new templates reloads. */
export function templateDigest(sources: readonly string[]): string {
  const hash = createHash('sha256');
  for (const source of sources) hash.update(source).update('\0');
  return hash.digest('hex');
}
