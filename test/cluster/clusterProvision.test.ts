import { expect } from 'chai';
import { fromBundle } from '../../operator/agent/index.js';
import { proxyObjectNames } from '../../operator/provision/index.js';
import type { FakeKubeApi, JsonObject } from '../support/fakeKubeApi/index.js';
import { selfSignedCertificate } from '../support/tls.js';
import {
  backend,
  dataOf,
  gateway,
  gatewayClass,
  gatewayObject,
  httpListener,
  httpsListener,
  KINDS,
  meta,
  NS,
  object,
  objectWrites,
  route,
  routeCondition,
  startApi,
  startController,
  type Running,
} from './clusterHarness.js';
import { eventually } from './support.js';

const NAMES = proxyObjectNames('gw');
const ALL = Object.keys(KINDS) as (keyof typeof KINDS)[];
const nameOf = (kind: keyof typeof KINDS): string =>
  ({
    ServiceAccount: NAMES.serviceAccount,
    RoleBinding: NAMES.roleBinding,
    ConfigMap: NAMES.configMap,
    Secret: NAMES.secret,
    Deployment: NAMES.deployment,
    Service: NAMES.service,
  })[kind];

describe('cluster controller: provisioning', () => {
  let api: FakeKubeApi;
  let run: Running | undefined;

  const published = (api: FakeKubeApi) => object(api, 'ConfigMap', NAMES.configMap);
  const allThere = () => ALL.every((kind) => object(api, kind, nameOf(kind)) !== undefined);

  beforeEach(async () => {
    api = await startApi();
    api.put(gatewayClass());
    backend(api);
  });

  afterEach(async () => {
    await run?.controller.stop();
    run = undefined;
    await api.close();
  });

  it('creates the ConfigMap, Secret, Deployment and Service of a Gateway, owned by it and applied as gateplane', async () => {
    const gw = api.put(gateway());
    api.put(route('web'));
    run = await startController(api);
    await eventually(allThere, 'every object of the Gateway exists');

    const uid = meta(gw).uid;
    for (const kind of ALL) {
      const o = object(api, kind, nameOf(kind));
      expect(meta(o).labels, kind).to.include({
        'gateplane.io/gateway': 'gw',
        'app.kubernetes.io/managed-by': 'gateplane',
      });
      expect(meta(o).ownerReferences, kind).to.deep.equal([
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          name: 'gw',
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(
        meta(o).managedFields?.map((m) => `${m.manager}/${m.operation}`),
        kind,
      ).to.include('gateplane/Apply');
    }
    const applies = objectWrites(api).filter((r) => r.method === 'PATCH');
    expect(applies.every((r) => r.contentType === 'application/apply-patch+yaml')).to.equal(true);
    expect(applies.every((r) => r.query.fieldManager === 'gateplane' && r.query.force === 'true')).to.equal(
      true,
    );

    const config = fromBundle(
      { data: dataOf(published(api)) },
      { data: dataOf(object(api, 'Secret', NAMES.secret)) },
    );
    expect(config).to.include({ driver: 'nginx', main: 'nginx.conf' });
    const conf = config.files.find((f) => f.path === 'nginx.conf')?.content ?? '';
    expect(conf).to.include('10.0.0.1:8080').and.include('/var/run/gateplane/');

    const deployment = object(api, 'Deployment', NAMES.deployment) as JsonObject;
    const pod = ((deployment.spec as JsonObject).template as JsonObject).spec as JsonObject;
    expect((pod.containers as JsonObject[]).map((c) => c.name)).to.deep.equal(['proxy', 'agent']);
    expect(pod).to.include({ shareProcessNamespace: true, serviceAccountName: NAMES.serviceAccount });
    expect(deployment.spec).to.not.have.property('replicas');
    const service = object(api, 'Service', NAMES.service) as JsonObject;
    expect(service.spec).to.deep.include({
      type: 'LoadBalancer',
      selector: { 'gateplane.io/gateway': 'gw' },
      ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80 }],
    });
  });

  it('takes image, replicas, Service type and annotations, and resources from the DataPlaneConfig', async () => {
    api.put({
      apiVersion: 'gateplane.io/v1alpha1',
      kind: 'DataPlaneConfig',
      metadata: { namespace: NS, name: 'big' },
      spec: {
        driver: 'haproxy',
        image: 'registry.test/haproxy:3',
        replicas: 3,
        service: { type: 'NodePort', annotations: { 'lb.example.com/kind': 'internal' } },
        resources: { limits: { memory: '1Gi' } },
      },
    });
    api.put({
      ...gatewayClass(),
      spec: {
        controllerName: 'gateplane.io/gateway-controller',
        parametersRef: { group: 'gateplane.io', kind: 'DataPlaneConfig', name: 'big', namespace: NS },
      },
    });
    api.put(gateway());
    run = await startController(api);
    await eventually(allThere, 'every object of the Gateway exists');

    expect(dataOf(published(api))).to.include({
      'gateplane.driver': 'haproxy',
      'gateplane.main': 'haproxy.cfg',
    });
    const deployment = object(api, 'Deployment', NAMES.deployment) as JsonObject;
    const spec = deployment.spec as JsonObject;
    expect(spec.replicas).to.equal(3);
    const [proxy, agent] = ((spec.template as JsonObject).spec as JsonObject).containers as JsonObject[];
    expect(proxy).to.deep.include({
      image: 'registry.test/haproxy:3',
      resources: { limits: { memory: '1Gi' } },
    });
    expect(String((proxy?.command as string[])[2])).to.include(
      'exec haproxy -W -S /var/run/gateplane/master.sock',
    );
    expect(agent).to.include({ image: 'registry.test/gateplane:dev' });
    const service = object(api, 'Service', NAMES.service) as JsonObject;
    expect((service.spec as JsonObject).type).to.equal('NodePort');
    expect(meta(service).annotations).to.deep.equal({ 'lb.example.com/kind': 'internal' });
  });

  it('puts an HTTPS listener’s certificate in the Secret and never in the ConfigMap', async () => {
    const pair = await selfSignedCertificate({ hosts: ['secure.example.com'] });
    api.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: NS, name: 'tls' },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(pair.certPem).toString('base64'),
        'tls.key': Buffer.from(pair.keyPem).toString('base64'),
      },
    });
    api.put(gateway('gw', [httpListener(), httpsListener('tls')]));
    api.put(route('web', { host: 'secure.example.com' }));
    run = await startController(api);
    await eventually(allThere, 'every object of the Gateway exists');

    const certs = dataOf(object(api, 'Secret', NAMES.secret));
    const keys = Object.keys(certs);
    expect(keys).to.have.length(1);
    expect(keys[0]).to.match(/^[0-9a-f]{64}\.pem$/);
    const pem = Buffer.from(certs[keys[0]!]!, 'base64').toString('utf8');
    expect(pem).to.include(pair.certPem.trim()).and.include(pair.keyPem.trim());
    const configMap = JSON.stringify(published(api));
    expect(configMap).to.not.include('PRIVATE KEY').and.not.include('BEGIN CERTIFICATE');
    expect(configMap).to.include(`/var/run/gateplane/certs/${keys[0]}`);
    expect((object(api, 'Service', NAMES.service)?.spec as JsonObject).ports).to.have.length(2);
  });

  it('publishes a route change as a new ConfigMap hash and leaves every other object alone', async () => {
    api.put(gateway());
    api.put(route('web', { path: '/v1' }));
    run = await startController(api);
    await eventually(allThere, 'every object of the Gateway exists');
    await run.controller.idle();
    const before = Object.fromEntries(
      ALL.map((kind) => [kind, meta(object(api, kind, nameOf(kind))).resourceVersion]),
    );
    const hash = dataOf(published(api))['gateplane.hash'];
    const mark = api.requests.length;

    api.put(route('web', { path: '/v2' }));
    await eventually(() => dataOf(published(api))['gateplane.hash'] !== hash, 'a new hash is published');
    await run.controller.idle();

    expect(dataOf(published(api))['nginx.conf']).to.include('/v2');
    for (const kind of ALL.filter((k) => k !== 'ConfigMap')) {
      expect(meta(object(api, kind, nameOf(kind))).resourceVersion, kind).to.equal(before[kind]);
    }
    const writes = objectWrites(api, mark).map((r) => `${r.method} ${r.path}`);
    expect(writes).to.deep.equal([`PATCH /api/v1/namespaces/${NS}/configmaps/${NAMES.configMap}`]);
  });

  it('deletes the objects of a Gateway that is deleted or stops being ours', async () => {
    api.put(gatewayClass('theirs', 'example.com/other'));
    api.put(gateway('gw'));
    api.put(gateway('other'));
    run = await startController(api);
    const otherNames = proxyObjectNames('other');
    await eventually(
      () => allThere() && object(api, 'Deployment', otherNames.deployment) !== undefined,
      'both Gateways are provisioned',
    );

    api.put(gateway('other', [httpListener()], 'theirs'));
    const otherGone = () =>
      object(api, 'ConfigMap', otherNames.configMap) === undefined &&
      object(api, 'Service', otherNames.service) === undefined &&
      object(api, 'Deployment', otherNames.deployment) === undefined;
    await eventually(otherGone, 'the objects of a Gateway that is not ours go');
    const deletes = objectWrites(api).filter((r) => r.method === 'DELETE');
    expect(deletes.every((r) => r.path.includes('/gateplane-other'))).to.equal(true);
    for (const kind of ALL) expect(object(api, kind, nameOf(kind)), kind).to.not.equal(undefined);

    api.remove(gatewayObject(api) as { apiVersion: string; kind: string; metadata: { name: string } });
    await eventually(
      () => ALL.every((kind) => object(api, kind, nameOf(kind)) === undefined),
      'the objects of a deleted Gateway go',
    );
  });

  it('re-creates an object someone deleted, and restores a field someone changed', async () => {
    api.put(gateway());
    run = await startController(api);
    await eventually(allThere, 'every object of the Gateway exists');
    api.remove(
      object(api, 'ConfigMap', NAMES.configMap) as {
        apiVersion: string;
        kind: string;
        metadata: { name: string };
      },
    );
    await eventually(() => published(api) !== undefined, 'the ConfigMap is back');

    const service = object(api, 'Service', NAMES.service) as JsonObject;
    api.put({ ...service, spec: { ...(service.spec as JsonObject), type: 'ClusterIP' } });
    await eventually(
      () => (object(api, 'Service', NAMES.service)?.spec as JsonObject).type === 'LoadBalancer',
      'the Service type is ours again',
    );
  });

  it('watches only the namespaces it is given', async () => {
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
    api.put({ ...gateway('gw'), metadata: { namespace: 'elsewhere', name: 'gw' } });
    api.put(gateway('here'));
    run = await startController(api, { namespaces: [NS] });
    await eventually(
      () => object(api, 'Deployment', proxyObjectNames('here').deployment) !== undefined,
      'provisioned here',
    );
    await run.controller.idle();
    expect(api.get('apps/v1', 'Deployment', 'elsewhere', NAMES.deployment)).to.equal(undefined);
  });

  it('sets aside a route the proxy refuses, says so in its status, and publishes the rest', async () => {
    api.put(gateway());
    api.put(route('good', { host: 'good.example.com' }));
    api.put(
      route('bad', {
        host: 'bad.example.com',
        match: { headers: [{ type: 'RegularExpression', name: 'x-test', value: '(?<=a+)b' }] },
      }),
    );
    run = await startController(api);
    await eventually(
      () =>
        routeCondition(api, 'bad', 'Accepted').status === 'False' &&
        routeCondition(api, 'good', 'Accepted').status === 'True',
      'the refused route says so, its neighbour is accepted',
    );

    const accepted = routeCondition(api, 'bad', 'Accepted');
    expect(accepted).to.include({ reason: 'UnsupportedValue' });
    expect(accepted.message).to.include('The data plane rejected').and.include('pcre');
    expect(accepted.message).to.not.include('/tmp/');
    const conf = dataOf(published(api))['nginx.conf'] ?? '';
    expect(conf).to.include('good.example.com').and.not.include('(?<=a+)b');
  });
});
