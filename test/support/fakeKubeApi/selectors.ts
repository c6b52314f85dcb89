/**
 * Label and field selectors, in the syntax `kubectl -l` and client libraries send:
 * `a=b,c!=d,e,!f,g in (x,y),h notin (z)`; fields support `metadata.name` and `metadata.namespace`.
 */
import { isObject, type JsonObject } from './patches.js';

export type Selector = (object: JsonObject) => boolean;

const MATCH_ALL: Selector = () => true;

/** Split on commas outside parentheses. */
function requirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function requirement(text: string, valueOf: (o: JsonObject, key: string) => string | undefined): Selector {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (o) => values.has(valueOf(o, key) ?? '\0')
      : (o) => !values.has(valueOf(o, key) ?? '\0');
  }
  const comparison = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
  if (comparison) {
    const [, key = '', op, value = ''] = comparison;
    return op === '!=' ? (o) => valueOf(o, key) !== value : (o) => valueOf(o, key) === value;
  }
  if (text.startsWith('!')) return (o) => valueOf(o, text.slice(1)) === undefined;
  return (o) => valueOf(o, text) !== undefined;
}

function labelValue(object: JsonObject, key: string): string | undefined {
  const labels = isObject(object.metadata) ? object.metadata.labels : undefined;
  const value = isObject(labels) ? labels[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function fieldValue(object: JsonObject, key: string): string | undefined {
  const meta = isObject(object.metadata) ? object.metadata : {};
  const value =
    key === 'metadata.name' ? meta.name : key === 'metadata.namespace' ? meta.namespace : undefined;
  return typeof value === 'string' ? value : undefined;
}

function parse(text: string | undefined, valueOf: typeof labelValue): Selector {
  if (!text) return MATCH_ALL;
  const all = requirements(text).map((r) => requirement(r, valueOf));
  return (object) => all.every((matches) => matches(object));
}

export function selectorFrom(labelSelector?: string, fieldSelector?: string): Selector {
  const labels = parse(labelSelector, labelValue);
  const fields = parse(fieldSelector, fieldValue);
  return (object) => labels(object) && fields(object);
}
