/**
 * A validator for the part of the Kubernetes structural-schema subset our CRD uses, behaving as
 * the API server does: unknown fields and null values are pruned (dropped, not refused), then
 * type, required, enum, pattern, minimum/maximum, lengths and items are checked. A keyword it
 * does not know throws, so the CRD can never use a rule this validator silently skips.
 */
type Schema = Readonly<Record<string, unknown>>;

/** Keywords with no effect on whether a value is valid. */
const INERT = new Set(['description', 'default']);
const CHECKED = new Set([
  'type',
  'properties',
  'required',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'items',
  'additionalProperties',
  'x-kubernetes-preserve-unknown-fields',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sub(schema: Schema, key: string): Schema | undefined {
  const value = schema[key];
  return isObject(value) ? value : undefined;
}

function typeError(type: unknown, value: unknown): string | undefined {
  const ok =
    type === 'object'
      ? isObject(value)
      : type === 'array'
        ? Array.isArray(value)
        : type === 'string'
          ? typeof value === 'string'
          : type === 'integer'
            ? Number.isInteger(value)
            : type === 'number'
              ? typeof value === 'number'
              : type === 'boolean'
                ? typeof value === 'boolean'
                : undefined;
  if (ok === undefined) throw new Error(`unknown schema type ${String(type)}`);
  return ok ? undefined : `must be of type ${String(type)}`;
}

function scalarErrors(schema: Schema, value: unknown): string[] {
  const errors: string[] = [];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push('must be one of the enum values');
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      errors.push(`must match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push('is too short');
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) errors.push('is too long');
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      errors.push(`must be >= ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      errors.push(`must be <= ${schema.maximum}`);
  }
  return errors;
}

function objectErrors(schema: Schema, value: Record<string, unknown>, path: string): string[] {
  // The API server prunes nulls of non-nullable fields before validating.
  const present = Object.entries(value).filter(([, v]) => v !== null);
  const properties = sub(schema, 'properties');
  const additional = sub(schema, 'additionalProperties');
  const errors: string[] = [];
  for (const name of (schema.required as string[] | undefined) ?? []) {
    if (!present.some(([key]) => key === name)) errors.push(`${path}.${name}: is required`);
  }
  for (const [key, v] of present) {
    const field = properties ? sub(properties, key) : additional;
    // Unknown fields are pruned, not refused (x-kubernetes-preserve-unknown-fields keeps them).
    if (field) errors.push(...validateStructural(field, v, `${path}.${key}`));
  }
  return errors;
}

/** The reasons `value` is refused, as `path: reason`; empty when the API server would accept it. */
export function validateStructural(schema: Schema, value: unknown, path = ''): string[] {
  for (const key of Object.keys(schema)) {
    if (!CHECKED.has(key) && !INERT.has(key))
      throw new Error(`${path}: schema keyword ${key} is not supported`);
  }
  if (value === null) return [];
  const wrongType = typeError(schema.type, value);
  if (wrongType) return [`${path}: ${wrongType}`];
  const errors = scalarErrors(schema, value).map((e) => `${path}: ${e}`);
  if (isObject(value)) errors.push(...objectErrors(schema, value, path));
  const items = sub(schema, 'items');
  if (Array.isArray(value) && items) {
    value.forEach((item, i) => errors.push(...validateStructural(items, item, `${path}[${i}]`)));
  }
  return errors;
}
