import { expect } from 'chai';
import type { RouteParentStatus } from '../../../operator/model/index.js';
import {
  CLASS,
  gateway,
  HTTP_LISTENER,
  resolveYaml,
  route,
  service,
  statusOf,
  summary,
} from '../../support/resolveFixture.js';

const BASE = `${CLASS}${gateway(HTTP_LISTENER)}${service('v1')}`;
const TO_V1 = '  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]';

function parents(yaml: string, name = 'r'): readonly RouteParentStatus[] {
  const status = statusOf(resolveYaml(yaml), 'HTTPRoute', name);
  if (status?.kind !== 'HTTPRoute') throw new Error(`no status for HTTPRoute ${name}`);
  return status.status.parents;
}

function attachedRoutes(yaml: string): number | undefined {
  const status = statusOf(resolveYaml(yaml), 'Gateway', 'gw');
  return status?.kind === 'Gateway' ? status.status.listeners[0]?.attachedRoutes : undefined;
}

describe('resolver: HTTPRoute attachment', () => {
  const cases: { name: string; yaml: string; conditions: string[]; attached: number }[] = [
    {
      name: 'accepts a route in the Gateway namespace and resolves its Service',
      yaml: BASE + route('r', `  parentRefs: [{ name: gw }]\n${TO_V1}`),
      conditions: ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 1,
    },
    {
      name: 'refuses a route from another namespace when allowedRoutes is Same',
      yaml: BASE + route('r', `  parentRefs: [{ name: gw, namespace: infra }]\n  rules: [{}]`, 'web'),
      conditions: ['Accepted=False/NotAllowedByListeners', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 0,
    },
    {
      name: 'accepts a route from a namespace the listener selects by its kubernetes.io/metadata.name label',
      yaml:
        `${CLASS}${gateway('    - { name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: web } } } } }')}` +
        route('r', `  parentRefs: [{ name: gw, namespace: infra }]\n  rules: [{}]`, 'web'),
      conditions: ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 1,
    },
    {
      name: 'ignores a route whose sectionName matches no listener, with NoMatchingParent',
      yaml: BASE + route('r', `  parentRefs: [{ name: gw, sectionName: http1 }]\n${TO_V1}`),
      conditions: ['Accepted=False/NoMatchingParent', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 0,
    },
    {
      name: 'refuses a route whose hostnames intersect no listener hostname',
      yaml:
        `${CLASS}${gateway('    - { name: http, port: 80, protocol: HTTP, hostname: foo.example.com }')}${service('v1')}` +
        route('r', `  parentRefs: [{ name: gw }]\n  hostnames: [bar.example.com]\n${TO_V1}`),
      conditions: ['Accepted=False/NoMatchingListenerHostname', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 0,
    },
    {
      name: 'reports BackendNotFound for a Service that does not exist, and stays accepted',
      yaml:
        BASE +
        route('r', `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: nope, port: 8080 }] }]`),
      conditions: ['Accepted=True/Accepted', 'ResolvedRefs=False/BackendNotFound'],
      attached: 1,
    },
    {
      name: 'reports InvalidKind for a backendRef that is not a Service',
      yaml:
        BASE +
        route(
          'r',
          `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ group: unknownkind.example.com, kind: NonExistent, name: v1, port: 8080 }] }]`,
        ),
      conditions: ['Accepted=True/Accepted', 'ResolvedRefs=False/InvalidKind'],
      attached: 1,
    },
    {
      name: 'reports RefNotPermitted for a Service in another namespace without a ReferenceGrant',
      yaml:
        BASE +
        service('web', 'web') +
        route(
          'r',
          `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: web, namespace: web, port: 8080 }] }]`,
        ),
      conditions: ['Accepted=True/Accepted', 'ResolvedRefs=False/RefNotPermitted'],
      attached: 1,
    },
    {
      name: 'resolves a Service in another namespace that a ReferenceGrant allows',
      yaml:
        BASE +
        service('web', 'web') +
        route(
          'r',
          `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: web, namespace: web, port: 8080 }] }]`,
        ) +
        `\n---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: { name: g, namespace: web }\nspec:\n  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra }]\n  to: [{ group: "", kind: Service, name: web }]\n`,
      conditions: ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 1,
    },
    {
      name: 'keeps ResolvedRefs True for rules without backendRefs',
      yaml: BASE + route('r', `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [] }, {}]`),
      conditions: ['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 1,
    },
    {
      name: 'refuses a route using a filter that is not built yet',
      yaml:
        BASE +
        route(
          'r',
          `  parentRefs: [{ name: gw }]\n  rules: [{ filters: [{ type: RequestMirror, requestMirror: {} }] }]`,
        ),
      conditions: ['Accepted=False/UnsupportedValue', 'ResolvedRefs=True/ResolvedRefs'],
      attached: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [parent] = parents(c.yaml);
      expect(summary(parent?.conditions)).to.deep.equal(c.conditions);
      expect(attachedRoutes(c.yaml)).to.equal(c.attached);
    });
  }

  it('writes no status for a parentRef to a Gateway that is not ours', () => {
    const yaml = BASE + route('r', `  parentRefs: [{ name: elsewhere }]\n${TO_V1}`);
    expect(statusOf(resolveYaml(yaml), 'HTTPRoute', 'r')).to.equal(undefined);
  });

  it('fills group, kind and namespace in the status parentRef and names our controller', () => {
    const [parent] = parents(
      BASE + route('r', `  parentRefs: [{ name: gw, namespace: infra }]\n  rules: [{}]`, 'infra'),
    );
    expect(parent?.parentRef).to.deep.equal({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      namespace: 'infra',
      name: 'gw',
    });
    expect(parent?.controllerName).to.equal('gateplane.io/gateway-controller');
  });

  it('names the unsupported field in the condition message', () => {
    const [parent] = parents(
      BASE +
        route(
          'r',
          `  parentRefs: [{ name: gw }]\n  rules: [{}, { matches: [{ headers: [{ type: RegularExpression, name: a, value: "(" }] }] }]`,
        ),
    );
    expect(parent?.conditions[0]?.message).to.equal(
      'spec.rules[1].matches[0].headers[0].value: is not a valid regular expression.',
    );
  });
});
