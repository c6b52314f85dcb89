/**
 * What the agent's inputs, the ConfigMap and Secret as the API server returned them, amount to:
 * a configuration to apply, nothing yet, or a reason they cannot be used. The raw objects are
 * parsed here, at the edge; bundle.ts takes typed data.
 */
import { z } from 'zod';
import type { RenderedConfig } from '../../drivers/driver.js';
import { fromBundle, IncompleteBundleError, InvalidBundleError } from './bundle.js';

const strings = z
  .record(z.string(), z.string())
  .nullish()
  .transform((value) => value ?? {});

const configMapShape = z.object({ data: strings, binaryData: strings });
const secretShape = z.object({ data: strings });

export type Inputs =
  /** No ConfigMap yet: the operator has not published this Gateway. */
  | { readonly kind: 'absent' }
  /** The Secret does not hold every certificate the ConfigMap names yet. */
  | { readonly kind: 'incomplete'; readonly missing: readonly string[] }
  /** Not something the operator writes: refused like a configuration the checker refuses. */
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'config'; readonly config: RenderedConfig };

export function readInputs(configMap: unknown, secret: unknown): Inputs {
  if (configMap === undefined) return { kind: 'absent' };
  const map = configMapShape.safeParse(configMap);
  if (!map.success) return { kind: 'invalid', reason: 'the ConfigMap has non-string data' };
  const certs = secret === undefined ? undefined : secretShape.safeParse(secret);
  if (certs && !certs.success) return { kind: 'invalid', reason: 'the Secret has non-string data' };
  try {
    return { kind: 'config', config: fromBundle(map.data, certs?.data) };
  } catch (error) {
    if (error instanceof IncompleteBundleError) return { kind: 'incomplete', missing: error.missing };
    if (error instanceof InvalidBundleError) return { kind: 'invalid', reason: error.message };
    throw error;
  }
}
