import { expect } from 'chai';
import {
  CLASS,
  gateway,
  HTTP_LISTENER,
  resolveYaml,
  statusOf,
  summary,
} from '../../support/resolveFixture.js';

import type { ObjectStatus } from '../../../operator/model/index.js';

type GatewayStatus = Extract<ObjectStatus, { kind: 'Gateway' }>['status'];

function gatewayStatus(yaml: string, name = 'gw'): GatewayStatus {
  const status = statusOf(resolveYaml(yaml), 'Gateway', name);
  if (status?.kind !== 'Gateway') throw new Error(`no status for Gateway ${name}`);
  return status.status;
}

function classConditions(yaml: string): ObjectStatus['status'] {
  const status = statusOf(resolveYaml(yaml), 'GatewayClass', 'gp');
  if (status?.kind !== 'GatewayClass') throw new Error('no status for GatewayClass gp');
  return status.status;
}

describe('resolver: GatewayClass', () => {
  it('accepts a class naming our controller and publishes the driver features', () => {
    const status = classConditions(CLASS);
    expect(status).to.deep.include({ supportedFeatures: [{ name: 'HTTPRoute' }] });
    expect(summary('conditions' in status ? status.conditions : [])).to.deep.equal([
      'Accepted=True/Accepted',
    ]);
  });

  it('ignores a class of another controller, writing no status for it', () => {
    const yaml = CLASS.replace('gateplane.io/gateway-controller', 'example.com/other');
    expect(resolveYaml(yaml).statuses).to.deep.equal([]);
  });

  it('rejects a class whose parametersRef names a missing DataPlaneConfig with InvalidParameters', () => {
    const yaml = `${CLASS.replace('spec: {', 'spec: { parametersRef: { group: gateplane.io, kind: DataPlaneConfig, name: nope, namespace: infra },')}`;
    const status = classConditions(yaml);
    expect(summary('conditions' in status ? status.conditions : [])).to.deep.equal([
      'Accepted=False/InvalidParameters',
    ]);
  });

  it('takes the driver from the DataPlaneConfig a class refers to', () => {
    const yaml = `${CLASS.replace('spec: {', 'spec: { parametersRef: { group: gateplane.io, kind: DataPlaneConfig, name: dp, namespace: infra },')}
---
apiVersion: gateplane.io/v1alpha1
kind: DataPlaneConfig
metadata: { name: dp, namespace: infra }
spec: { driver: haproxy, drainTimeout: 2m }
${gateway(HTTP_LISTENER)}`;
    const model = resolveYaml(yaml).gateways[0]?.model;
    expect(model?.driver).to.equal('haproxy');
    expect(model?.settings.drainTimeoutSeconds).to.equal(120);
  });
});

describe('resolver: Gateway and listeners', () => {
  const cases: {
    name: string;
    listeners: string;
    gateway: string[];
    listenerConditions: Record<string, string[]>;
    kinds?: Record<string, number>;
  }[] = [
    {
      name: 'accepts a Gateway with one HTTP listener and programs it',
      listeners: HTTP_LISTENER,
      gateway: ['Accepted=True/Accepted', 'Programmed=True/Programmed'],
      listenerConditions: {
        http: [
          'Accepted=True/Accepted',
          'Conflicted=False/NoConflicts',
          'ResolvedRefs=True/ResolvedRefs',
          'Programmed=True/Programmed',
        ],
      },
    },
    {
      name: 'rejects a Gateway whose only listener has an unsupported protocol',
      listeners: '    - { name: invalid, port: 1111, protocol: INVALID }',
      gateway: ['Accepted=False/ListenersNotValid', 'Programmed=False/Invalid'],
      listenerConditions: {
        invalid: [
          'Accepted=False/UnsupportedProtocol',
          'Conflicted=False/NoConflicts',
          'ResolvedRefs=True/ResolvedRefs',
          'Programmed=False/Invalid',
        ],
      },
      kinds: { invalid: 0 },
    },
    {
      name: 'accepts a Gateway with one valid and one unsupported listener as ListenersNotValid',
      listeners: `${HTTP_LISTENER}\n    - { name: invalid, port: 1111, protocol: INVALID }`,
      gateway: ['Accepted=True/ListenersNotValid', 'Programmed=True/Programmed'],
      listenerConditions: {
        http: [
          'Accepted=True/Accepted',
          'Conflicted=False/NoConflicts',
          'ResolvedRefs=True/ResolvedRefs',
          'Programmed=True/Programmed',
        ],
      },
    },
    {
      name: 'marks two listeners with the same port, protocol and hostname as HostnameConflict',
      listeners: `${HTTP_LISTENER}\n    - { name: http2, port: 80, protocol: HTTP }\n    - { name: other, port: 81, protocol: HTTP }`,
      gateway: ['Accepted=True/ListenersNotValid', 'Programmed=True/Programmed'],
      listenerConditions: {
        http2: [
          'Accepted=False/HostnameConflict',
          'Conflicted=True/HostnameConflict',
          'ResolvedRefs=True/ResolvedRefs',
          'Programmed=False/Invalid',
        ],
        other: [
          'Accepted=True/Accepted',
          'Conflicted=False/NoConflicts',
          'ResolvedRefs=True/ResolvedRefs',
          'Programmed=True/Programmed',
        ],
      },
    },
    {
      name: 'reports InvalidRouteKinds and no supported kinds for a listener allowing only unknown kinds',
      listeners:
        '    - { name: http, port: 80, protocol: HTTP, allowedRoutes: { kinds: [{ kind: InvalidRoute }] } }',
      gateway: ['Accepted=True/Accepted', 'Programmed=True/Programmed'],
      listenerConditions: {
        http: [
          'Accepted=True/Accepted',
          'Conflicted=False/NoConflicts',
          'ResolvedRefs=False/InvalidRouteKinds',
          'Programmed=False/Invalid',
        ],
      },
      kinds: { http: 0 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = gatewayStatus(`${CLASS}${gateway(c.listeners)}`);
      expect(summary(status.conditions)).to.deep.equal(c.gateway);
      for (const [listener, expected] of Object.entries(c.listenerConditions)) {
        expect(
          summary(status.listeners.find((l) => l.name === listener)?.conditions),
          listener,
        ).to.deep.equal(expected);
      }
      for (const [listener, count] of Object.entries(c.kinds ?? {})) {
        expect(status.listeners.find((l) => l.name === listener)?.supportedKinds).to.have.length(count);
      }
    });
  }

  it('sets observedGeneration from the Gateway generation on every condition', () => {
    const yaml = `${CLASS}${gateway(HTTP_LISTENER)}`.replace(
      'metadata: { name: gw, namespace: infra }',
      'metadata: { name: gw, namespace: infra, generation: 7 }',
    );
    const status = gatewayStatus(yaml);
    const generations = [...status.conditions, ...status.listeners.flatMap((l) => l.conditions)].map(
      (c) => c.observedGeneration,
    );
    expect(new Set(generations)).to.deep.equal(new Set([7]));
  });

  it('rejects a Gateway whose infrastructure.parametersRef is not ours with InvalidParameters', () => {
    const yaml = `${CLASS}${gateway(HTTP_LISTENER, 'gw', '  infrastructure: { parametersRef: { group: invalid.io, kind: InvalidParameters, name: invalid } }')}`;
    const resolution = resolveYaml(yaml);
    expect(summary(gatewayStatus(yaml).conditions)).to.deep.equal([
      'Accepted=False/InvalidParameters',
      'Programmed=False/Invalid',
    ]);
    expect(resolution.gateways[0]?.model).to.equal(undefined);
  });
});
