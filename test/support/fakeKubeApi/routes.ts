/**
 * URL paths as the API server lays them out:
 * `/api/v1/{plural}[/{name}[/status]]`, `/api/v1/namespaces/{ns}/{plural}[/{name}[/status]]`,
 * and the same under `/apis/{group}/{version}`. `/api/v1/namespaces/{name}` is the Namespace
 * object itself, which is why the namespaced form needs a served plural in third place.
 */
import type { FakeResource } from './resources.js';

export type Route =
  | {
      readonly outcome: 'resource';
      readonly resource: FakeResource;
      /** Undefined for cluster-scoped objects and for lists across all namespaces. */
      readonly namespace?: string;
      readonly name?: string;
      readonly subresource?: string;
    }
  /** No such group/version at all: the real server answers with a plain-text 404. */
  | { readonly outcome: 'noGroupVersion' }
  /** A served group/version without this resource, or a malformed path: a Status 404. */
  | { readonly outcome: 'noResource' };

export function route(pathname: string, served: readonly FakeResource[]): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else {
    return { outcome: 'noGroupVersion' };
  }
  const version = group === '' ? 'v1' : (parts[2] ?? '');
  const candidates = served.filter((r) => r.group === group && r.version === version);
  if (candidates.length === 0) return { outcome: 'noGroupVersion' };
  const byPlural = (plural: string | undefined): FakeResource | undefined =>
    candidates.find((r) => r.plural === plural);

  const namespacedResource = byPlural(rest[2]);
  if (rest[0] === 'namespaces' && rest[1] && namespacedResource?.namespaced && rest.length <= 5) {
    const [, namespace, , name, subresource] = rest;
    return { outcome: 'resource', resource: namespacedResource, namespace, name, subresource };
  }
  const resource = byPlural(rest[0]);
  if (!resource || rest.length > 3) return { outcome: 'noResource' };
  // A namespaced object is only addressable inside its namespace.
  if (resource.namespaced && rest.length > 1) return { outcome: 'noResource' };
  const [, name, subresource] = rest;
  return { outcome: 'resource', resource, name, subresource };
}
