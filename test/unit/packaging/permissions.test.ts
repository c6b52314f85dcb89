/**
 * operator/cluster/permissions.ts against what gateplane does (every call it must be allowed)
 * and against the chart (the roles hold exactly those rights: nothing missing, nothing extra).
 */
import { expect } from 'chai';
import {
  AGENT_CLUSTER_ROLE,
  PERMISSIONS,
  ROLES,
  type Permission,
  type Verb,
} from '../../../operator/cluster/permissions.js';
import { API_RESOURCES } from '../../../operator/sources/kubernetes/resources.js';
import { find, renderChart, type Manifest } from './chartRender.js';

interface Rule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** One string per (group, resource, verb, name) a set of rules allows. */
function expand(rules: readonly Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups)
      for (const res of r.resources)
        for (const v of r.verbs) for (const n of r.resourceNames ?? ['*']) out.add(`${g}|${res}|${v}|${n}`);
  }
  return [...out].sort();
}

const asRules = (permissions: readonly Permission[]): Rule[] =>
  permissions.map((p) => ({
    apiGroups: [p.group],
    resources: [p.resource],
    verbs: p.verbs,
    ...(p.resourceNames ? { resourceNames: p.resourceNames } : {}),
  }));

interface Call {
  readonly who: Permission['who'];
  readonly scope: Permission['scope'];
  readonly group: string;
  readonly resource: string;
}

/** Whether the listed permissions allow `verbs` on every object (no resourceNames limit). */
function allows(call: Call, verbs: readonly Verb[]): boolean {
  const listed = PERMISSIONS.filter((p) => p.who === call.who && p.scope === call.scope && !p.resourceNames);
  const granted = new Set(expand(asRules(listed)));
  return verbs.every((v) => granted.has(`${call.group}|${call.resource}|${v}|*`));
}

const operator = (group: string, resource: string): Call => ({
  who: 'operator',
  scope: 'cluster',
  group,
  resource,
});

describe('operator/cluster/permissions.ts', () => {
  it('lets the operator list and watch every kind it reads, cluster-wide', () => {
    for (const r of API_RESOURCES) {
      expect(allows(operator(r.group, r.plural), ['list', 'watch']), r.kind).to.equal(true);
    }
  });

  it('lets the operator read and patch the status of every Gateway API kind that has one', () => {
    for (const r of API_RESOURCES.filter(
      (r) => r.group === 'gateway.networking.k8s.io' && r.kind !== 'ReferenceGrant',
    )) {
      expect(allows(operator(r.group, `${r.plural}/status`), ['get', 'patch']), r.kind).to.equal(true);
    }
  });

  it('lets the operator create, patch and delete what it provisions per Gateway', () => {
    const provisioned: [string, string][] = [
      ['', 'configmaps'],
      ['', 'secrets'],
      ['', 'services'],
      ['', 'serviceaccounts'],
      ['apps', 'deployments'],
      ['rbac.authorization.k8s.io', 'rolebindings'],
    ];
    for (const [group, resource] of provisioned) {
      expect(allows(operator(group, resource), ['create', 'patch', 'delete']), resource).to.equal(true);
    }
  });

  it('lets the operator watch pods, hold its Lease, and bind only the agent ClusterRole', () => {
    expect(allows(operator('', 'pods'), ['get', 'list', 'watch'])).to.equal(true);
    expect(
      allows({ who: 'operator', scope: 'namespace', group: 'coordination.k8s.io', resource: 'leases' }, [
        'get',
        'create',
        'update',
      ]),
    ).to.equal(true);
    const bind = PERMISSIONS.filter((p) => p.verbs.includes('bind'));
    expect(bind.map((p) => [p.resource, p.resourceNames])).to.deep.equal([
      ['clusterroles', [AGENT_CLUSTER_ROLE]],
    ]);
  });

  it('gives the agent only reads of ConfigMaps and Secrets and patch on pods, in its own namespace', () => {
    const agent = PERMISSIONS.filter((p) => p.who === 'agent');
    expect(agent.every((p) => p.scope === 'namespace')).to.equal(true);
    expect(expand(asRules(agent))).to.deep.equal(
      expand([
        { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['patch'] },
      ]),
    );
  });

  it('never grants a wildcard or the escalate and impersonate verbs', () => {
    for (const p of PERMISSIONS) {
      expect([p.group, p.resource, ...p.verbs]).to.not.include('*');
      expect(p.verbs).to.not.include.members(['escalate', 'impersonate']);
      expect(p.why).to.not.equal('');
    }
  });
});

describe('the chart RBAC', function () {
  let manifests: Manifest[] = [];
  before(async function () {
    this.timeout(180_000);
    manifests = await renderChart();
  });

  for (const role of ROLES) {
    it(`holds in ${role.kind} ${role.name} exactly the ${role.who}'s ${role.scope} permissions`, () => {
      const rendered = find(manifests, role.kind, role.name) as unknown as { rules: Rule[] };
      const listed = PERMISSIONS.filter((p) => p.who === role.who && p.scope === role.scope);
      expect(listed).to.not.be.empty;
      expect(expand(rendered.rules)).to.deep.equal(expand(asRules(listed)));
    });
  }

  it('binds the agent ClusterRole nowhere: the operator binds it per Gateway namespace', () => {
    const bindings = manifests.filter((m) => m.kind.endsWith('Binding')) as unknown as {
      roleRef: { name: string };
    }[];
    expect(bindings.map((b) => b.roleRef.name)).to.not.include(AGENT_CLUSTER_ROLE);
  });
});
