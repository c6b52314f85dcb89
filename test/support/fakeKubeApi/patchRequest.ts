/**
 * PATCH, in the four content types clients send. The patched object goes through the same
 * update path as a PUT, so the resourceVersion a patch leaves in the object is its precondition:
 * a merge patch carrying a stale `metadata.resourceVersion` gets 409 Conflict.
 */
import { parse as parseYaml } from 'yaml';
import type { FakeObjects } from './objects.js';
import { isObject, jsonPatch, mergePatch, PatchError, type Json, type JsonObject } from './patches.js';
import type { FakeResource } from './resources.js';
import { errors } from './statusErrors.js';

type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export interface PatchRequest {
  readonly resource: FakeResource;
  readonly namespace: string;
  readonly name: string;
  readonly subresource?: 'status';
  readonly contentType: string;
  readonly text: string;
  readonly fieldManager?: string;
}

function parseBody(type: PatchType, text: string): Json {
  try {
    return (type === 'apply' ? parseYaml(text) : JSON.parse(text)) as Json;
  } catch (error) {
    throw errors.badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/** Returns the written object and whether the patch created it (server-side apply may). */
export function patchObject(
  objects: FakeObjects,
  request: PatchRequest,
): { object: JsonObject; created: boolean } {
  const { resource, namespace, name, subresource, fieldManager } = request;
  const contentType = request.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const type = PATCH_TYPES[contentType];
  // Strategic merge needs Go struct tags, which custom resources do not have.
  if (type === undefined || (type === 'strategic' && resource.custom))
    throw errors.unsupportedMediaType(contentType);
  const body = parseBody(type, request.text);
  const operation = type === 'apply' ? 'Apply' : 'Update';
  if (type === 'apply') {
    if (!fieldManager)
      throw errors.invalid(resource, name, 'fieldManager: Required value: is required for apply patch');
    if (!isObject(body)) throw errors.badRequest('an apply patch must be an object');
    const current = objects.find(resource, namespace, name);
    if (!current) {
      if (subresource) throw errors.notFound(resource, name);
      const meta = isObject(body.metadata) ? body.metadata : {};
      const created = objects.create(
        resource,
        namespace,
        { ...body, metadata: { ...meta, name } },
        { fieldManager, operation },
      );
      return { object: created, created: true };
    }
  }
  const current = objects.get(resource, namespace, name);
  let patched: Json;
  try {
    patched = type === 'json' ? jsonPatch(current, body) : mergePatch(current, body);
  } catch (error) {
    if (error instanceof PatchError) throw errors.invalid(resource, name, error.message);
    throw error;
  }
  if (!isObject(patched)) throw errors.invalid(resource, name, 'the patched object is not an object');
  const object = objects.update(resource, { namespace, name }, patched, {
    ...(subresource ? { subresource } : {}),
    ...(fieldManager ? { fieldManager } : {}),
    operation,
  });
  return { object, created: false };
}
