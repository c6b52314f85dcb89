/**
 * Every Kubernetes API call gateplane makes in a cluster, as RBAC: the single list the Helm
 * chart's roles are generated from (`hack/generate-crds.ts` writes `charts/gateplane/files/rbac/`)
 * and the packaging tests check against. A call that is not listed here is refused in a real
 * cluster, so code that makes a new call adds its line here, with the reason, and regenerates.
 *
 * Where a right is granted:
 * - operator, `cluster`: ClusterRole `gateplane-operator`, bound cluster-wide.
 * - operator, `namespace`: Role `gateplane-operator` in the operator's own namespace (the Lease).
 * - agent, `namespace`: ClusterRole `gateplane-agent`, never bound cluster-wide. The agent runs in
 *   each Gateway's namespace, so for every Gateway the operator creates ServiceAccount
 *   `gateplane-<gateway>` and a RoleBinding `gateplane-<gateway>` to `gateplane-agent` in that
 *   namespace (both owned by the Gateway). RBAC lets the operator create that binding without
 *   holding the agent's rights itself only through `bind` on that one ClusterRole (listed below).
 */
import type { Kind } from '../api/kinds.js';
import { API_RESOURCES, apiResource } from '../sources/kubernetes/resources.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'bind';

export interface Permission {
  readonly who: 'operator' | 'agent';
  readonly scope: 'cluster' | 'namespace';
  /** API group; '' is the core group. */
  readonly group: string;
  /** Plural resource name, with `/subresource` when the call targets one. */
  readonly resource: string;
  readonly verbs: readonly Verb[];
  /** Limits the right to these object names (RBAC `resourceNames`). */
  readonly resourceNames?: readonly string[];
  readonly why: string;
}

export const OPERATOR_CLUSTER_ROLE = 'gateplane-operator';
export const OPERATOR_ROLE = 'gateplane-operator';
export const AGENT_CLUSTER_ROLE = 'gateplane-agent';

/** The Gateway API kinds whose status gateplane writes (ReferenceGrant has no status). */
const STATUS_KINDS: readonly Kind[] = [
  'GatewayClass',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
  'BackendTLSPolicy',
];

const watched: readonly Permission[] = API_RESOURCES.map((r) => ({
  who: 'operator',
  scope: 'cluster',
  group: r.group,
  resource: r.plural,
  verbs: ['list', 'watch'],
  why: `KubernetesSource keeps every ${r.kind} in the store (list, then watch).`,
}));

const statuses: readonly Permission[] = STATUS_KINDS.map((kind) => ({
  who: 'operator',
  scope: 'cluster',
  group: apiResource(kind).group,
  resource: `${apiResource(kind).plural}/status`,
  verbs: ['get', 'patch'],
  why: `KubeStatusWriter reads the live status of a ${kind}, then merge-patches it.`,
}));

const provisioned: readonly Permission[] = [
  { group: '', resource: 'configmaps', what: 'the rendered configuration' },
  { group: '', resource: 'secrets', what: 'the certificates' },
  { group: '', resource: 'services', what: 'the Service in front of the proxies' },
  { group: '', resource: 'serviceaccounts', what: 'the identity of the proxy pods' },
  { group: 'apps', resource: 'deployments', what: 'the proxy pods' },
  { group: 'rbac.authorization.k8s.io', resource: 'rolebindings', what: "the agent's rights" },
].map(({ group, resource, what }) => ({
  who: 'operator',
  scope: 'cluster',
  group,
  resource,
  // Server-side apply of an object that does not exist yet is a create, authorized as one.
  verbs: ['create', 'patch', 'delete'],
  why: `The provisioner applies ${what} of each Gateway, and deletes it when the Gateway leaves us.`,
}));

export const PERMISSIONS: readonly Permission[] = [
  ...watched,
  ...statuses,
  ...provisioned,
  {
    who: 'operator',
    scope: 'cluster',
    group: 'gateway.networking.k8s.io',
    resource: 'gateways/finalizers',
    verbs: ['update'],
    why: 'Owner references with blockOwnerDeletion need it where OwnerReferencesPermissionEnforcement is on.',
  },
  {
    who: 'operator',
    scope: 'cluster',
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterroles',
    verbs: ['bind'],
    resourceNames: [AGENT_CLUSTER_ROLE],
    why: 'Lets the operator bind the agent role in Gateway namespaces without holding its rights.',
  },
  {
    who: 'operator',
    scope: 'cluster',
    group: '',
    resource: 'pods',
    verbs: ['get', 'list', 'watch'],
    why: 'Programmed needs the ready proxy pods and their gateplane.io/applied-hash annotation.',
  },
  ...[
    { group: 'apps', resource: 'deployments' },
    { group: '', resource: 'serviceaccounts' },
    { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  ].map(({ group, resource }): Permission => ({
    who: 'operator',
    scope: 'cluster',
    group,
    resource,
    verbs: ['list', 'watch'],
    why: 'OwnedObjects follows what the provisioner created, to re-apply it when it drifts or goes.',
  })),
  {
    who: 'operator',
    scope: 'namespace',
    group: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['get', 'create', 'update'],
    why: 'Leader election: only the holder of the Lease reconciles and writes.',
  },
  {
    who: 'agent',
    scope: 'namespace',
    group: '',
    resource: 'configmaps',
    verbs: ['get', 'list', 'watch'],
    why: "The agent follows its Gateway's ConfigMap (gateplane-<gateway>-config).",
  },
  {
    who: 'agent',
    scope: 'namespace',
    group: '',
    resource: 'secrets',
    verbs: ['get', 'list', 'watch'],
    why: "The agent follows its Gateway's certificates (gateplane-<gateway>-certs).",
  },
  {
    who: 'agent',
    scope: 'namespace',
    group: '',
    resource: 'pods',
    verbs: ['patch'],
    why: 'The agent records the applied hash on its own pod (gateplane.io/applied-hash).',
  },
];

/** One role of the chart and the permissions it holds. */
export interface RoleSpec {
  readonly file: string;
  readonly kind: 'ClusterRole' | 'Role';
  readonly name: string;
  readonly who: Permission['who'];
  readonly scope: Permission['scope'];
}

export const ROLES: readonly RoleSpec[] = [
  {
    file: 'operator-cluster.yaml',
    kind: 'ClusterRole',
    name: OPERATOR_CLUSTER_ROLE,
    who: 'operator',
    scope: 'cluster',
  },
  { file: 'operator-namespace.yaml', kind: 'Role', name: OPERATOR_ROLE, who: 'operator', scope: 'namespace' },
  { file: 'agent.yaml', kind: 'ClusterRole', name: AGENT_CLUSTER_ROLE, who: 'agent', scope: 'namespace' },
];

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly Verb[];
  readonly resourceNames?: readonly string[];
}

const VERB_ORDER: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'bind'];

/**
 * The RBAC rules of one role: permissions with the same group, verbs and names share a rule, and
 * everything is sorted, so the generated chart file only changes when a right does.
 */
export function policyRules(role: Pick<RoleSpec, 'who' | 'scope'>): PolicyRule[] {
  const rules = new Map<string, { group: string; verbs: Verb[]; names: string[]; resources: Set<string> }>();
  for (const p of PERMISSIONS) {
    if (p.who !== role.who || p.scope !== role.scope) continue;
    const verbs = VERB_ORDER.filter((v) => p.verbs.includes(v));
    const names = [...(p.resourceNames ?? [])].sort();
    const key = JSON.stringify([p.group, verbs, names]);
    const rule = rules.get(key) ?? { group: p.group, verbs, names, resources: new Set<string>() };
    rule.resources.add(p.resource);
    rules.set(key, rule);
  }
  return [...rules.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => ({
      apiGroups: [r.group],
      resources: [...r.resources].sort(),
      verbs: r.verbs,
      ...(r.names.length > 0 ? { resourceNames: r.names } : {}),
    }));
}
