/**
 * Reading and writing the status subresource. Every Gateway API kind is a custom resource, so
 * client-node's CustomObjectsApi serves them all; it also returns raw JSON (no model classes),
 * which parseLiveObject reads directly.
 *
 * Writes are JSON merge patches (client-node's typed patch calls default to JSON patch, hence the
 * explicit content type) that carry `metadata.resourceVersion`: the API server refuses them with
 * 409 if the object changed since we read it, so we never overwrite what we did not see.
 */
import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { Kind } from '../../api/kinds.js';
import { apiResource, parseLiveObject, type LiveObject } from '../../sources/kubernetes/index.js';

export interface StatusTarget {
  readonly kind: Kind;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

export type PatchOutcome =
  | { readonly outcome: 'written'; readonly object: LiveObject }
  | { readonly outcome: 'conflict' }
  | { readonly outcome: 'notFound' };

export interface StatusPatch {
  readonly resourceVersion: string;
  /** Merged into `status`: a key set to null is removed. */
  readonly status: Readonly<Record<string, unknown>>;
}

export interface StatusClient {
  /** The object as it is now, or undefined if it is gone. */
  read(target: StatusTarget): Promise<LiveObject | undefined>;
  patch(target: StatusTarget, patch: StatusPatch): Promise<PatchOutcome>;
}

function describe(target: StatusTarget): string {
  return `${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
}

function parsed(target: StatusTarget, raw: unknown): LiveObject {
  const object = parseLiveObject(target.kind, raw);
  if (!object) throw new Error(`${describe(target)}: the API server returned a malformed object`);
  return object;
}

export function clientNodeStatusClient(kc: KubeConfig, fieldManager: string): StatusClient {
  const api = kc.makeApiClient(CustomObjectsApi);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const coordinates = (target: StatusTarget) => {
    const { group, version, plural, namespaced } = apiResource(target.kind);
    return { group, version, plural, name: target.name, namespaced };
  };
  return {
    async read(target) {
      const { namespaced, ...where } = coordinates(target);
      try {
        const raw: unknown = namespaced
          ? await api.getNamespacedCustomObjectStatus({ ...where, namespace: target.namespace })
          : await api.getClusterCustomObjectStatus(where);
        return parsed(target, raw);
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw new Error(`read the status of ${describe(target)}`, { cause: error });
      }
    },
    async patch(target, patch) {
      const { namespaced, ...where } = coordinates(target);
      const body = { metadata: { resourceVersion: patch.resourceVersion }, status: patch.status };
      try {
        const raw: unknown = namespaced
          ? await api.patchNamespacedCustomObjectStatus(
              { ...where, namespace: target.namespace, body, fieldManager },
              mergePatch,
            )
          : await api.patchClusterCustomObjectStatus({ ...where, body, fieldManager }, mergePatch);
        return { outcome: 'written', object: parsed(target, raw) };
      } catch (error) {
        if (error instanceof ApiException && error.code === 409) return { outcome: 'conflict' };
        if (error instanceof ApiException && error.code === 404) return { outcome: 'notFound' };
        throw new Error(`write the status of ${describe(target)}`, { cause: error });
      }
    },
  };
}
