/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the API server applies them. */
import { isDeepStrictEqual } from 'node:util';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** RFC 7386: objects merge key by key, `null` deletes, anything else (arrays too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key] ?? null, value);
  }
  return out;
}

export class PatchError extends Error {}

interface Operation {
  readonly op: string;
  readonly path: string;
  readonly value?: Json;
  readonly from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveParent(doc: Json, tokens: readonly string[]): { parent: Json; key: string } {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(current)
      ? current[Number(token)]
      : isObject(current)
        ? current[token]
        : undefined;
    if (next === undefined) throw new PatchError(`path not found: /${tokens.join('/')}`);
    current = next;
  }
  const key = tokens.at(-1);
  if (key === undefined) throw new PatchError('the root cannot be the target of this operation');
  return { parent: current, key };
}

function read(doc: Json, pointer: string): Json {
  let current = doc;
  for (const token of parsePointer(pointer)) {
    const next: Json | undefined = Array.isArray(current)
      ? current[Number(token)]
      : isObject(current)
        ? current[token]
        : undefined;
    if (next === undefined) throw new PatchError(`path not found: ${pointer}`);
    current = next;
  }
  return current;
}

function remove(doc: Json, pointer: string): Json {
  const { parent, key } = resolveParent(doc, parsePointer(pointer));
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length)
      throw new PatchError(`index out of range: ${pointer}`);
    return parent.splice(index, 1)[0] ?? null;
  }
  if (!isObject(parent) || !(key in parent)) throw new PatchError(`path not found: ${pointer}`);
  const value = parent[key] ?? null;
  delete parent[key];
  return value;
}

function add(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return clone(value);
  const { parent, key } = resolveParent(doc, tokens);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length - (replace ? 1 : 0))
      throw new PatchError(`index out of range: ${pointer}`);
    parent.splice(index, replace ? 1 : 0, clone(value));
  } else if (isObject(parent)) {
    if (replace && !(key in parent)) throw new PatchError(`path not found: ${pointer}`);
    parent[key] = clone(value);
  } else {
    throw new PatchError(`path not found: ${pointer}`);
  }
  return doc;
}

/** RFC 6902; every operation applies or none does (the input is not modified). */
export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = clone(target);
  for (const raw of operations as unknown[]) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new PatchError('each JSON patch operation needs "op" and "path"');
    const op = raw as unknown as Operation;
    const value = (): Json => {
      if (op.value === undefined) throw new PatchError(`"${op.op}" needs a "value"`);
      return op.value;
    };
    const from = (): string => {
      if (typeof op.from !== 'string') throw new PatchError(`"${op.op}" needs a "from"`);
      return op.from;
    };
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, value(), false);
        break;
      case 'replace':
        doc = add(doc, op.path, value(), true);
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'move':
        doc = add(doc, op.path, remove(doc, from()), false);
        break;
      case 'copy':
        doc = add(doc, op.path, read(doc, from()), false);
        break;
      case 'test':
        if (!isDeepStrictEqual(read(doc, op.path), value()))
          throw new PatchError(`test failed at ${op.path}`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}
