/**
 * Failures as the API server reports them: a `v1 Status` body with the HTTP code, reason and
 * the message wording clients (and people reading logs) recognise.
 */
import { qualifiedName, type FakeResource } from './resources.js';

export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: string;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string };
  readonly code: number;
}

/** Thrown inside the fake server, turned into a response in one place. */
export class ApiError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message);
  }
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

function detailsOf(resource: FakeResource, name: string): StatusBody['details'] {
  return { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural };
}

export const errors = {
  notFound: (resource: FakeResource, name: string) =>
    failure(404, 'NotFound', `${qualifiedName(resource)} "${name}" not found`, detailsOf(resource, name)),
  alreadyExists: (resource: FakeResource, name: string) =>
    failure(
      409,
      'AlreadyExists',
      `${qualifiedName(resource)} "${name}" already exists`,
      detailsOf(resource, name),
    ),
  conflict: (resource: FakeResource, name: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedName(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      detailsOf(resource, name),
    ),
  invalid: (resource: FakeResource, name: string, detail: string) =>
    failure(
      422,
      'Invalid',
      `${resource.kind}.${resource.group || 'core'} "${name}" is invalid: ${detail}`,
      detailsOf(resource, name),
    ),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  expired: (message: string) => failure(410, 'Expired', message),
  methodNotAllowed: () =>
    failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  unsupportedMediaType: (contentType: string) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
    ),
  noResource: () => failure(404, 'NotFound', 'the server could not find the requested resource'),
  injected: (code: number) =>
    failure(
      code,
      code === 503
        ? 'ServiceUnavailable'
        : code === 429
          ? 'TooManyRequests'
          : code === 403
            ? 'Forbidden'
            : 'InternalError',
      `injected failure (HTTP ${code})`,
    ),
};
