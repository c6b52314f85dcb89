/**
 * One Gateway and one HTTPRoute built in memory, with every user-controlled field that reaches
 * a proxy configuration given a value, so that a test can put a hostile string in one field and
 * a benign one everywhere else. Objects go through the real edge validation and resolver.
 */
import { parseObject, type KubeObject } from '../../../operator/api/kinds.js';
import { CONTROLLER_NAME, resolve, type GatewayModel } from '../../../operator/model/index.js';
import { Store } from '../../../operator/store/index.js';

export const FIELDS = [
  'exactPath',
  'prefixPath',
  'headerName',
  'headerValue',
  'headerRegex',
  'queryName',
  'queryValue',
  'setHeaderName',
  'setHeaderValue',
  'addHeaderValue',
  'responseHeaderValue',
  'redirectPath',
] as const;
export type Field = (typeof FIELDS)[number];

const BENIGN: Record<Field, string> = {
  exactPath: '/exact',
  prefixPath: '/prefix',
  headerName: 'x-match',
  headerValue: 'value',
  headerRegex: 'a+',
  queryName: 'q',
  queryValue: 'v',
  setHeaderName: 'x-set',
  setHeaderValue: 'set',
  addHeaderValue: 'add',
  responseHeaderValue: 'resp',
  redirectPath: '/moved',
};

function objects(v: Record<Field, string>): unknown[] {
  const backend = [{ name: 'svc', port: 80 }];
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'gp' },
      spec: { controllerName: CONTROLLER_NAME },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'ns' },
      spec: { gatewayClassName: 'gp', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc', namespace: 'ns' },
      spec: { ports: [{ name: 'http', port: 80 }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'svc-1', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'svc' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 3000 }],
      endpoints: [{ addresses: ['127.0.0.1'] }],
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'ns' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [
          { matches: [{ path: { type: 'Exact', value: v.exactPath } }], backendRefs: backend },
          {
            matches: [
              {
                path: { type: 'PathPrefix', value: v.prefixPath },
                headers: [
                  { name: v.headerName, value: v.headerValue },
                  { type: 'RegularExpression', name: 'x-regex', value: v.headerRegex },
                ],
                queryParams: [{ name: v.queryName, value: v.queryValue }],
              },
            ],
            filters: [
              {
                type: 'RequestHeaderModifier',
                requestHeaderModifier: {
                  set: [{ name: v.setHeaderName, value: v.setHeaderValue }],
                  add: [{ name: 'x-add', value: v.addHeaderValue }],
                  remove: ['x-remove'],
                },
              },
              {
                type: 'ResponseHeaderModifier',
                responseHeaderModifier: { set: [{ name: 'x-resp', value: v.responseHeaderValue }] },
              },
            ],
            backendRefs: backend,
          },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
            filters: [
              {
                type: 'RequestRedirect',
                requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: v.redirectPath } },
              },
            ],
          },
        ],
      },
    },
  ];
}

/**
 * The model with the given values (benign values elsewhere), or why it never gets that far:
 * refused at the edge, or the route not accepted.
 */
export function modelWith(
  values: Partial<Record<Field, string>>,
): { model: GatewayModel } | { refused: string } {
  const parsed: KubeObject[] = [];
  for (const raw of objects({ ...BENIGN, ...values })) {
    const result = parseObject(raw);
    if (result.outcome !== 'ok') return { refused: result.outcome === 'invalid' ? result.reason : 'ignored' };
    parsed.push(result.object);
  }
  const store = new Store({ metadata: 'track', now: () => new Date(0) });
  store.apply(parsed);
  const resolution = resolve(store.snapshot(), {
    controllerName: CONTROLLER_NAME,
    defaultDriver: 'nginx',
    supportedFeatures: { nginx: [], haproxy: [] },
  });
  const route = resolution.statuses.find((s) => s.kind === 'HTTPRoute');
  const accepted =
    route?.kind === 'HTTPRoute' && route.status.parents[0]?.conditions.find((c) => c.type === 'Accepted');
  if (!accepted || accepted.status !== 'True')
    return { refused: accepted ? accepted.message : 'no route status' };
  const model = resolution.gateways[0]?.model;
  return model ? { model } : { refused: 'no model' };
}

/**
 * A harmless value shaped like `value` for `field`: paths keep their slashes (the slashes decide
 * which locations exist), everything else becomes letters. Two fields given the same value get
 * the same twin, so equalities between fields, which may legitimately merge config, are kept.
 */
export function twin(field: Field, value: string): string {
  if (field === 'exactPath' || field === 'prefixPath' || field === 'redirectPath')
    return value.replace(/[^/]/g, 'a');
  if (field === 'headerRegex') return 'a';
  return 'a'.repeat(Math.max(1, [...value].length));
}

/** Put `value` in every field whose validation accepts it on its own. */
export function fieldsAccepting(value: string): Field[] {
  return FIELDS.filter((field) => !('refused' in modelWith({ [field]: value })));
}
