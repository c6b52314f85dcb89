/**
 * Schemas for the Gateway API kinds we read (gateway.networking.k8s.io), with the defaults the
 * CRDs apply, so the resolver sees objects as the API server would store them. Patterns and
 * limits follow the v1 CRDs; CEL rules that matter for safety (paths) are applied too.
 */
import { z } from 'zod';
import { namespaceName, objectName } from './meta.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Listener and route hostnames: an RFC 1123 subdomain, optionally with a leading `*.`. */
export const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a lowercase hostname, optionally starting with "*."',
  );

const sectionName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
const portNumber = z.number().int().min(1).max(65535);
const group = z
  .string()
  .max(253)
  .regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
const kind = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/);

// ---- GatewayClass ----

export const parametersReference = z.object({
  group,
  kind,
  name: z.string().min(1).max(253),
  namespace: namespaceName.optional(),
});

export const gatewayClassSpec = z.object({
  controllerName: z.string().min(1).max(253),
  parametersRef: parametersReference.optional(),
  description: z.string().max(64).optional(),
});

// ---- Gateway ----

const routeGroupKind = z.object({ group: group.default(GATEWAY_GROUP), kind });

const labelSelectorRequirement = z.object({
  key: z.string(),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

export const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(labelSelectorRequirement).optional(),
});

const allowedRoutes = z.object({
  namespaces: z
    .object({ from: z.enum(['All', 'Same', 'Selector']).default('Same'), selector: labelSelector.optional() })
    .default({ from: 'Same' }),
  kinds: z.array(routeGroupKind).max(8).optional(),
});

export const secretObjectReference = z.object({
  group: group.default(''),
  kind: kind.default('Secret'),
  name: objectName,
  namespace: namespaceName.optional(),
});

const listener = z.object({
  name: sectionName,
  hostname: hostname.optional(),
  port: portNumber,
  protocol: z.string().min(1).max(255),
  tls: z
    .object({
      mode: z.enum(['Terminate', 'Passthrough']).default('Terminate'),
      certificateRefs: z.array(secretObjectReference).max(64).default([]),
      options: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  allowedRoutes: allowedRoutes.default({ namespaces: { from: 'Same' } }),
});

const gatewayAddress = z.object({ type: z.string().default('IPAddress'), value: z.string().min(1).max(253) });

/** The listener rules the Gateway CRD enforces with CEL. */
function listenerProblems(listeners: readonly z.output<typeof listener>[], ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  listeners.forEach((l, i) => {
    const at = (field: string): (string | number)[] => [i, field];
    if (names.has(l.name))
      ctx.addIssue({ code: 'custom', path: at('name'), message: 'must be unique within the Gateway' });
    names.add(l.name);
    if (['HTTP', 'TCP', 'UDP'].includes(l.protocol) && l.tls) {
      ctx.addIssue({
        code: 'custom',
        path: at('tls'),
        message: `must not be set for protocol ${l.protocol}`,
      });
    }
    if (['HTTPS', 'TLS'].includes(l.protocol) && !l.tls) {
      ctx.addIssue({ code: 'custom', path: at('tls'), message: `is required for protocol ${l.protocol}` });
    }
    if (['TCP', 'UDP'].includes(l.protocol) && l.hostname !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: at('hostname'),
        message: `must not be set for protocol ${l.protocol}`,
      });
    }
  });
}

export const gatewaySpec = z.object({
  gatewayClassName: objectName,
  listeners: z.array(listener).min(1).max(64).superRefine(listenerProblems),
  addresses: z.array(gatewayAddress).max(16).optional(),
  infrastructure: z
    .object({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      parametersRef: z.object({ group, kind, name: z.string().min(1).max(253) }).optional(),
    })
    .optional(),
});

// ---- HTTPRoute ----

export const parentReference = z.object({
  group: group.default(GATEWAY_GROUP),
  kind: kind.default('Gateway'),
  namespace: namespaceName.optional(),
  name: objectName,
  sectionName: sectionName.optional(),
  port: portNumber.optional(),
});

/** Characters the CRD allows in Exact and PathPrefix values (RFC 3986 pchar and `/`). */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

const pathMatch = z
  .object({
    type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).default('PathPrefix'),
    value: z.string().max(1024).default('/'),
  })
  .superRefine((path, ctx) => {
    if (path.type === 'RegularExpression') return;
    const problem = pathProblem(path.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });

/** The CEL rules of the HTTPRoute CRD for Exact and PathPrefix values. */
function pathProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return 'must be an absolute path';
  if (!PATH_CHARS.test(value)) return 'must only contain valid path characters';
  for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) {
    if (value.includes(bad)) return `must not contain '${bad}'`;
  }
  if (value.endsWith('/..') || value.endsWith('/.')) return "must not end with '/..' or '/.'";
  return undefined;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const headerName = z.string().min(1).max(256).regex(HEADER_NAME, 'must be a valid HTTP header name');

/** Values reach proxy configuration: no control characters (a tab is fine). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const noControls = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;

const headerValue = z.string().min(1).max(4096).regex(noControls, 'must not contain control characters');

const headerMatch = z.object({
  type: z.enum(['Exact', 'RegularExpression']).default('Exact'),
  name: headerName,
  value: headerValue,
});

const queryParamMatch = z.object({
  type: z.enum(['Exact', 'RegularExpression']).default('Exact'),
  name: z.string().min(1).max(256).regex(HEADER_NAME, 'must be a valid query parameter name'),
  value: z.string().min(1).max(1024).regex(noControls, 'must not contain control characters'),
});

const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export const httpRouteMatch = z.object({
  path: pathMatch.default({ type: 'PathPrefix', value: '/' }),
  headers: z.array(headerMatch).max(16).optional(),
  queryParams: z.array(queryParamMatch).max(16).optional(),
  method: httpMethod.optional(),
});

const httpHeader = z.object({ name: headerName, value: headerValue });

const headerFilter = z.object({
  set: z.array(httpHeader).max(16).optional(),
  add: z.array(httpHeader).max(16).optional(),
  remove: z.array(headerName).max(16).optional(),
});

/** A hostname without wildcard (RFC 1123), as redirects and rewrites take. */
const preciseHostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a lowercase hostname');

const pathModifier = z
  .object({
    type: z.enum(['ReplaceFullPath', 'ReplacePrefixMatch']),
    replaceFullPath: z.string().max(1024).optional(),
    replacePrefixMatch: z.string().max(1024).optional(),
  })
  .superRefine((modifier, ctx) => {
    const field = modifier.type === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
    const value = modifier[field];
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is required when type is ${modifier.type}` });
      return;
    }
    const problem = value === '' ? undefined : pathProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
  });

const requestRedirect = z.object({
  scheme: z.enum(['http', 'https']).optional(),
  hostname: preciseHostname.optional(),
  path: pathModifier.optional(),
  port: portNumber.optional(),
  statusCode: z
    .union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)])
    .default(302),
});

/** Filter kinds the CRD knows but gateplane does not serve yet: kept loose, reported by the resolver. */
const opaque = z.record(z.string(), z.unknown()).optional();

export const httpRouteFilter = z.discriminatedUnion('type', [
  z.object({ type: z.literal('RequestHeaderModifier'), requestHeaderModifier: headerFilter }),
  z.object({ type: z.literal('ResponseHeaderModifier'), responseHeaderModifier: headerFilter }),
  z.object({ type: z.literal('RequestRedirect'), requestRedirect }),
  z.object({ type: z.literal('URLRewrite'), urlRewrite: opaque }),
  z.object({ type: z.literal('RequestMirror'), requestMirror: opaque }),
  z.object({ type: z.literal('CORS'), cors: opaque }),
  z.object({ type: z.literal('ExternalAuth'), externalAuth: opaque }),
  z.object({ type: z.literal('ExtensionRef'), extensionRef: opaque }),
]);

export const backendRef = z
  .object({
    group: group.default(''),
    kind: kind.default('Service'),
    name: objectName,
    namespace: namespaceName.optional(),
    port: portNumber.optional(),
    weight: z.number().int().min(0).max(1_000_000).default(1),
    filters: z.array(httpRouteFilter).max(16).optional(),
  })
  .refine((ref) => !(ref.group === '' && ref.kind === 'Service' && ref.port === undefined), {
    path: ['port'],
    message: 'is required when referring to a Service',
  });

const httpRouteRule = z.object({
  name: sectionName.optional(),
  matches: z
    .array(httpRouteMatch)
    .max(64)
    .default([{ path: { type: 'PathPrefix', value: '/' } }]),
  filters: z.array(httpRouteFilter).max(16).optional(),
  backendRefs: z.array(backendRef).max(16).optional(),
  timeouts: z.object({ request: z.string().optional(), backendRequest: z.string().optional() }).optional(),
});

export const httpRouteSpec = z.object({
  parentRefs: z.array(parentReference).max(32).default([]),
  hostnames: z.array(hostname).max(16).default([]),
  rules: z
    .array(httpRouteRule)
    .max(16)
    .default([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]),
});

// ---- ReferenceGrant ----

export const referenceGrantSpec = z.object({
  from: z
    .array(z.object({ group, kind, namespace: namespaceName }))
    .min(1)
    .max(16),
  to: z
    .array(z.object({ group, kind, name: objectName.optional() }))
    .min(1)
    .max(16),
});
