import { expect } from 'chai';
import type { GatewayModel } from '../../../operator/model/index.js';
import { CLASS, gateway, HTTP_LISTENER, resolveYaml, route, service } from '../../support/resolveFixture.js';

function modelOf(yaml: string): GatewayModel {
  const model = resolveYaml(yaml).gateways[0]?.model;
  if (!model) throw new Error('no model');
  return model;
}

/** `hostname: rule ids` per virtual host of the first port. */
function hosts(model: GatewayModel): Record<string, string[]> {
  return Object.fromEntries(model.ports[0]!.virtualHosts.map((v) => [v.hostname, v.rules.map((r) => r.id)]));
}

const BASE = `${CLASS}${gateway(HTTP_LISTENER)}${service('v1')}${service('v2', 'infra', ['10.0.0.2'])}`;

describe('resolver: the model', () => {
  it('orders rules exact path first, then the longest prefix, trailing slash ignored', () => {
    const model = modelOf(
      BASE +
        route(
          'r',
          `  parentRefs: [{ name: gw }]
  rules:
    - { matches: [{ path: { type: PathPrefix, value: /match/ } }], backendRefs: [{ name: v1, port: 8080 }] }
    - { matches: [{ path: { type: PathPrefix, value: /match/prefix } }], backendRefs: [{ name: v1, port: 8080 }] }
    - { matches: [{ path: { type: Exact, value: /match/exact } }], backendRefs: [{ name: v1, port: 8080 }] }
    - { matches: [{ path: { type: PathPrefix, value: / } }], backendRefs: [{ name: v1, port: 8080 }] }`,
        ),
    );
    const rules = model.ports[0]!.virtualHosts[0]!.rules;
    expect(rules.map((r) => `${r.match.path.type} ${r.match.path.value}`)).to.deep.equal([
      'Exact /match/exact',
      'PathPrefix /match/prefix',
      'PathPrefix /match',
      'PathPrefix /',
    ]);
  });

  it('breaks precedence ties by route age, then namespace/name', () => {
    const older = route(
      'zeta',
      `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]`,
    ).replace(
      'metadata: { name: zeta, namespace: infra }',
      'metadata: { name: zeta, namespace: infra, creationTimestamp: "2020-01-01T00:00:00Z" }',
    );
    const newer = route(
      'alpha',
      `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: v2, port: 8080 }] }]`,
    );
    const tie = route(
      'beta',
      `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: v2, port: 8080 }] }]`,
    );
    expect(hosts(modelOf(BASE + newer + tie + older))).to.deep.equal({
      '*': ['infra_zeta_r0_m0', 'infra_alpha_r0_m0', 'infra_beta_r0_m0'],
    });
  });

  it('gives every hostname its own virtual host, with the rules of broader hostnames after its own', () => {
    const model = modelOf(
      BASE +
        route(
          'exact',
          `  parentRefs: [{ name: gw }]\n  hostnames: [a.example.com]\n  rules: [{ matches: [{ path: { value: /a } }], backendRefs: [{ name: v1, port: 8080 }] }]`,
        ) +
        route(
          'wild',
          `  parentRefs: [{ name: gw }]\n  hostnames: ["*.example.com"]\n  rules: [{ matches: [{ path: { value: /w } }], backendRefs: [{ name: v1, port: 8080 }] }]`,
        ) +
        route('any', `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: v2, port: 8080 }] }]`),
    );
    expect(hosts(model)).to.deep.equal({
      'a.example.com': ['infra_exact_r0_m0', 'infra_wild_r0_m0', 'infra_any_r0_m0'],
      '*.example.com': ['infra_wild_r0_m0', 'infra_any_r0_m0'],
      '*': ['infra_any_r0_m0'],
    });
  });

  it('sends requests for a listener hostname to that listener only, even when it has no routes', () => {
    const model = modelOf(
      `${CLASS}${gateway('    - { name: specific, port: 80, protocol: HTTP, hostname: foo.example.com }\n    - { name: any, port: 80, protocol: HTTP }')}${service('v1')}` +
        route(
          'r',
          `  parentRefs: [{ name: gw, sectionName: any }]\n  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]`,
        ),
    );
    expect(model.ports[0]!.virtualHosts.map((v) => [v.hostname, v.listener, v.rules.length])).to.deep.equal([
      ['foo.example.com', 'specific', 0],
      ['*', 'any', 1],
    ]);
  });

  it('keeps weights, drops weight-0 backends, and keeps the share of an unresolved backend as invalid', () => {
    const model = modelOf(
      BASE +
        route(
          'r',
          `  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: v1, port: 8080, weight: 70 }, { name: nope, port: 8080, weight: 30 }, { name: v2, port: 8080, weight: 0 }] }]`,
        ),
    );
    expect(model.ports[0]!.virtualHosts[0]!.rules[0]!.action).to.deep.equal({
      kind: 'forward',
      backends: [
        { kind: 'upstream', upstream: 'infra_v1_8080', weight: 70 },
        { kind: 'invalid', weight: 30 },
      ],
      requestHeaders: { set: [], add: [], remove: [] },
      responseHeaders: { set: [], add: [], remove: [] },
    });
    expect(model.upstreams.map((u) => u.name)).to.deep.equal(['infra_v1_8080', 'infra_v2_8080']);
  });

  it('answers 500 for a rule without backendRefs and for one whose backends all fail', () => {
    const model = modelOf(
      BASE +
        route(
          'r',
          `  parentRefs: [{ name: gw }]\n  rules: [{ matches: [{ path: { value: /a } }] }, { backendRefs: [{ name: nope, port: 8080 }] }]`,
        ),
    );
    expect(model.ports[0]!.virtualHosts[0]!.rules.map((r) => r.action)).to.deep.equal([
      { kind: 'fixedResponse', status: 500 },
      { kind: 'fixedResponse', status: 500 },
    ]);
  });

  it('takes endpoints from EndpointSlices by port name, skipping endpoints that are not ready', () => {
    const yaml = `${BASE}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: v1-2, namespace: infra, labels: { kubernetes.io/service-name: v1 } }
addressType: IPv4
ports: [{ name: http, port: 3000 }, { name: other, port: 9999 }]
endpoints: [{ addresses: ["10.0.0.9"], conditions: { ready: false } }, { addresses: ["10.0.0.3"] }]
${route('r', `  parentRefs: [{ name: gw }]\n  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]`)}`;
    expect(modelOf(yaml).upstreams[0]?.endpoints).to.deep.equal([
      { family: 'IPv4', address: '10.0.0.1', port: 3000 },
      { family: 'IPv4', address: '10.0.0.3', port: 3000 },
    ]);
  });

  it('is deterministic: the same input gives an identical model', () => {
    const yaml =
      BASE +
      route(
        'r',
        `  parentRefs: [{ name: gw }]\n  hostnames: [b.example.com, a.example.com]\n  rules: [{ backendRefs: [{ name: v1, port: 8080 }] }]`,
      );
    expect(JSON.stringify(modelOf(yaml))).to.equal(JSON.stringify(modelOf(yaml)));
  });
});
