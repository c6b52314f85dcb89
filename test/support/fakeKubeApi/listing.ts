/**
 * LIST responses: items in key order (namespace, then name, as etcd keys sort), paged with
 * `limit` and an opaque `continue` token. A token outlives compaction no better than a watch
 * does: once its version is compacted away, it gets 410 Expired and the client must start over.
 * Unlike a real server, later pages show the current state rather than a snapshot.
 */
import type { FakeObjects } from './objects.js';
import { metaOf, text } from './objectMeta.js';
import type { JsonObject } from './patches.js';
import { apiVersionOf, type FakeResource } from './resources.js';
import type { Selector } from './selectors.js';
import { errors } from './statusErrors.js';

interface Token {
  readonly resourceVersion: number;
  readonly after: string;
}

const keyOf = (object: JsonObject): string =>
  `${text(metaOf(object).namespace)}/${text(metaOf(object).name)}`;

function decode(token: string): Token {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
    if (typeof parsed.resourceVersion === 'number' && typeof parsed.after === 'string') return parsed;
  } catch {
    // Falls through to the error below.
  }
  throw errors.badRequest('continue key is not valid');
}

/** Built-in types' list items carry no apiVersion/kind; only custom resources' do. */
function stripTypeMeta(object: JsonObject): JsonObject {
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

export function listPage(
  objects: FakeObjects,
  request: {
    resource: FakeResource;
    namespace?: string;
    selector: Selector;
    query: Readonly<Record<string, string>>;
  },
): JsonObject {
  const { resource, namespace, selector, query } = request;
  const token = query.continue ? decode(query.continue) : undefined;
  if (token && token.resourceVersion < objects.history.compactedResourceVersion) {
    throw errors.expired('The provided continue parameter is too old to display a consistent list result.');
  }
  const all = objects
    .list(resource, namespace, selector)
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
    .filter((o) => !token || keyOf(o) > token.after);
  const limit = Number(query.limit);
  const page = Number.isInteger(limit) && limit > 0 ? all.slice(0, limit) : all;
  const resourceVersion = token?.resourceVersion ?? objects.history.resourceVersion;
  const last = page.at(-1);
  const next =
    page.length < all.length && last
      ? Buffer.from(JSON.stringify({ resourceVersion, after: keyOf(last) })).toString('base64url')
      : undefined;
  return {
    kind: `${resource.kind}List`,
    apiVersion: apiVersionOf(resource),
    metadata: { resourceVersion: String(resourceVersion), ...(next ? { continue: next } : {}) },
    items: page.map((o) => (resource.custom ? o : stripTypeMeta(o))),
  };
}
