/**
 * gateplane.io/v1alpha1 DataPlaneConfig: per-class (or per-Gateway) data-plane settings. This zod
 * schema is the single source of truth; the CRD's OpenAPI schema is generated from it.
 */
import { z } from 'zod';

export const GATEPLANE_GROUP = 'gateplane.io';

/** `30s`, `2m`, `1h`: the subset of Go durations users write for timeouts. */
const duration = z.string().regex(/^\d+(s|m|h)$/, 'must be a duration such as 30s, 2m or 1h');

export const dataPlaneConfigSpec = z.object({
  driver: z.enum(['nginx', 'haproxy']),
  image: z.string().optional(),
  replicas: z.number().int().min(1).optional(),
  service: z
    .object({
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('LoadBalancer'),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  resources: z.record(z.string(), z.unknown()).optional(),
  drainTimeout: duration.default('30s'),
  workerProcesses: z.number().int().min(1).max(64).optional(),
  logFormat: z.enum(['text', 'json']).optional(),
});

export function durationSeconds(value: string): number {
  const amount = Number.parseInt(value, 10);
  const unit = value.at(-1);
  return unit === 'h' ? amount * 3600 : unit === 'm' ? amount * 60 : amount;
}
