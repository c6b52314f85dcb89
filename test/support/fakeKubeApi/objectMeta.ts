/** Metadata helpers of the fake API server: reading fields, generation, field managers. */
import { isObject, type Json, type JsonObject } from './patches.js';
import { apiVersionOf, type FakeResource } from './resources.js';

export interface WriteOptions {
  readonly subresource?: 'status';
  readonly fieldManager?: string;
  readonly operation?: 'Apply' | 'Update';
}

export type Meta = JsonObject;

export function metaOf(object: JsonObject): Meta {
  return isObject(object.metadata) ? object.metadata : {};
}

export function str(value: Json | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A metadata string field, '' when absent. */
export function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : '';
}

export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Everything a user writes outside metadata and status: what `metadata.generation` counts. */
export function specPart(object: JsonObject): JsonObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

export function withoutManagedFields(object: JsonObject): JsonObject {
  const { managedFields: _mf, ...meta } = metaOf(object);
  return { ...object, metadata: meta };
}

/** Record the field manager of a write, one entry per manager and operation, as SSA does. */
export function recordManager(
  next: JsonObject,
  resource: FakeResource,
  options: WriteOptions & { readonly time: string },
): JsonObject {
  if (!options.fieldManager) return next;
  const meta = metaOf(next);
  const operation = options.operation ?? 'Update';
  const entries = (Array.isArray(meta.managedFields) ? meta.managedFields : []).filter(
    (e) =>
      !(
        isObject(e) &&
        e.manager === options.fieldManager &&
        e.operation === operation &&
        (e.subresource ?? undefined) === options.subresource
      ),
  );
  entries.push({
    manager: options.fieldManager,
    operation,
    apiVersion: apiVersionOf(resource),
    time: options.time,
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(options.subresource ? { subresource: options.subresource } : {}),
  });
  return { ...next, metadata: { ...meta, managedFields: entries } };
}
