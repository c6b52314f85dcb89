import { expect } from 'chai';
import type { Kind } from '../../operator/api/kinds.js';
import {
  KubernetesSource,
  type InvalidObject,
  type RetryOptions,
} from '../../operator/sources/kubernetes/index.js';
import { Store } from '../../operator/store/index.js';
import {
  FakeKubeApi,
  kubeConfigFor,
  type FakeKubeApiOptions,
  type JsonObject,
} from '../support/fakeKubeApi/index.js';
import {
  captureLogger,
  configMap,
  eventually,
  gateway,
  gatewayClass,
  httpRoute,
  service,
  type CapturedLog,
} from './support.js';

const FAST: Partial<RetryOptions> = { baseDelayMs: 10, maxDelayMs: 50, missingKindRetryMs: 50 };

describe('Kubernetes source', () => {
  let api: FakeKubeApi;
  let store: Store;
  let source: KubernetesSource | undefined;
  let log: CapturedLog;
  let invalid: InvalidObject[];

  async function startSource(
    options: { namespaces?: string[]; api?: FakeKubeApiOptions; retry?: Partial<RetryOptions> } = {},
  ): Promise<KubernetesSource> {
    source = new KubernetesSource({
      kubeConfig: kubeConfigFor(api),
      store,
      logger: log.logger,
      onInvalid: (problem) => invalid.push(problem),
      retry: { ...FAST, ...options.retry },
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
    });
    source.start();
    await source.synced();
    return source;
  }

  const names = (kind: Kind): string[] =>
    store
      .snapshot()
      .list(kind)
      .map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name));

  const lists = (path: string) =>
    api.requests.filter((r) => r.method === 'GET' && r.path === path && !r.query.watch);
  const failures = () => log.entries.filter((e) => e.message.startsWith('Listing or watching failed'));

  beforeEach(async () => {
    api = await FakeKubeApi.start({ notInstalled: ['tcproutes.gateway.networking.k8s.io'] });
    store = new Store({ metadata: 'source' });
    log = captureLogger();
    invalid = [];
    source = undefined;
  });

  afterEach(async () => {
    await source?.stop();
    await api.close();
  });

  it('lists every kind into the store with the metadata the API server assigned', async () => {
    api.put(gatewayClass('gp'));
    api.put(gateway('default', 'gw'));
    const route = api.put(httpRoute('default', 'r'));
    api.put(service('default', 'svc'));
    api.put(configMap('default', 'cm'));
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { team: 'a' } } });
    api.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'default', name: 's' },
      data: { a: 'Yg==' },
    });
    api.put({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'default', name: 'svc-1', labels: { 'kubernetes.io/service-name': 'svc' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'] }],
      ports: [{ port: 8080 }],
    });
    api.put({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { namespace: 'default', name: 'rg' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'x' }],
        to: [{ group: '', kind: 'Service' }],
      },
    });
    api.put({
      apiVersion: 'gateplane.io/v1alpha1',
      kind: 'DataPlaneConfig',
      metadata: { namespace: 'default', name: 'nginx' },
      spec: { driver: 'nginx' },
    });
    await startSource();

    const snapshot = store.snapshot();
    for (const kind of [
      'GatewayClass',
      'Gateway',
      'HTTPRoute',
      'Service',
      'ConfigMap',
      'Namespace',
      'Secret',
      'EndpointSlice',
      'ReferenceGrant',
      'DataPlaneConfig',
    ] as const) {
      expect(snapshot.list(kind), kind).to.have.length(1);
    }
    expect(snapshot.endpointSlicesFor('default', 'svc')).to.have.length(1);
    const stored = snapshot.get('HTTPRoute', 'default', 'r');
    const meta = route.metadata as JsonObject;
    expect(stored?.metadata).to.include({ generation: 1, creationTimestamp: meta.creationTimestamp });
    expect(source?.live.get('HTTPRoute', 'default', 'r')).to.include({
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    });
    expect(invalid).to.deep.equal([]);
  });

  it('follows adds, spec updates and deletes, with generation from the API server', async () => {
    await startSource();
    api.put(httpRoute('default', 'r', '/a'));
    await eventually(() => store.get('HTTPRoute', 'default', 'r') !== undefined);
    api.put(httpRoute('default', 'r', '/b'));
    await eventually(() => store.get('HTTPRoute', 'default', 'r')?.metadata.generation === 2);
    api.remove({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { namespace: 'default', name: 'r' },
    });
    await eventually(() => store.get('HTTPRoute', 'default', 'r') === undefined);
    expect(source?.live.get('HTTPRoute', 'default', 'r')).to.equal(undefined);
  });

  it('pages through a large collection', async () => {
    for (let i = 0; i < 5; i++) api.put(service('default', `s${i}`));
    await startSource({ retry: { pageSize: 2 } });
    expect(names('Service')).to.have.length(5);
    expect(lists('/api/v1/services').map((r) => r.query.continue !== undefined)).to.deep.equal([
      false,
      true,
      true,
    ]);
  });

  it('watches namespaced kinds only in the given namespaces, and cluster-scoped kinds everywhere', async () => {
    api.put(httpRoute('a', 'in'));
    api.put(httpRoute('b', 'out'));
    api.put(gatewayClass('gp'));
    await startSource({ namespaces: ['a'] });
    api.put(httpRoute('b', 'later'));
    api.put(httpRoute('a', 'later'));
    await eventually(() => names('HTTPRoute').includes('a/later'));
    expect(names('HTTPRoute')).to.deep.equal(['a/in', 'a/later']);
    expect(names('GatewayClass')).to.deep.equal(['gp']);
    expect(lists('/apis/gateway.networking.k8s.io/v1/namespaces/a/httproutes')).to.have.length(1);
    expect(lists('/apis/gateway.networking.k8s.io/v1/httproutes')).to.have.length(0);
  });

  it('reports an invalid object with kind, namespace, name and reason, and keeps it out of the store until fixed', async () => {
    const bad = httpRoute('default', 'bad');
    (bad.spec as { rules: { matches: { path: { type: string } }[] }[] }).rules[0]!.matches[0]!.path.type =
      'Glob';
    api.put(bad);
    await startSource();
    expect(store.get('HTTPRoute', 'default', 'bad')).to.equal(undefined);
    expect(invalid).to.have.length(1);
    expect(invalid[0]).to.include({ kind: 'HTTPRoute', namespace: 'default', name: 'bad' });
    expect(invalid[0]?.reason).to.contain('spec.rules[0].matches[0].path.type');
    api.put(httpRoute('default', 'bad'));
    await eventually(() => store.get('HTTPRoute', 'default', 'bad') !== undefined);
    expect(invalid).to.have.length(1);
  });

  it('re-lists after a network cut and deletes what disappeared while disconnected', async () => {
    api.put(service('default', 'stays'));
    api.put(service('default', 'goes'));
    await startSource();
    const listsBefore = lists('/api/v1/services').length;
    const unplug = api.injectFault({ path: /services/, status: 503 });
    api.dropWatches();
    api.remove({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'goes' } });
    api.put(service('default', 'new'));
    api.compact();
    await eventually(() => failures().some((e) => e.kind === 'Service'), 'a failed reconnect');
    unplug();
    await eventually(() => names('Service').join() === 'default/new,default/stays', 'the store catching up');
    expect(lists('/api/v1/services').length).to.be.greaterThan(listsBefore);
  });

  it('re-lists at once, without reporting a failure, when the watch resumes from a compacted version', async () => {
    api.put(service('default', 'a'));
    await startSource();
    const listsBefore = lists('/api/v1/services').length;
    // Changes to other kinds move the global resourceVersion past the one the Service watch holds.
    api.put(configMap('default', 'cm'));
    api.compact();
    api.closeWatches();
    await eventually(() => lists('/api/v1/services').length > listsBefore, 'a re-list of Services');
    await eventually(() => api.openWatches >= 14, 'watches resuming');
    expect(names('Service')).to.deep.equal(['default/a']);
    expect(failures()).to.deep.equal([]);
  });

  it('resumes a cleanly ended watch from its resourceVersion without listing again, bookmarks keeping it fresh', async () => {
    await startSource();
    await eventually(() => api.openWatches === 14, 'every served kind being watched');
    // TCPRoute is not installed and keeps being looked for: leave it out of the count.
    const relists = () => api.requests.filter((r) => !r.query.watch && !r.path.endsWith('/tcproutes')).length;
    const listsBefore = relists();
    api.put(configMap('default', 'cm'));
    api.sendBookmarks();
    await eventually(() => store.get('ConfigMap', 'default', 'cm') !== undefined);
    api.compact();
    const watchesBefore = api.requests.filter((r) => r.query.watch).length;
    api.closeWatches();
    await eventually(
      () => api.requests.filter((r) => r.query.watch).length >= watchesBefore + 14,
      'watches resuming',
    );
    expect(relists()).to.equal(listsBefore);
    const resumed = api.requests.filter((r) => r.query.watch).slice(watchesBefore);
    expect(
      resumed.every((r) => r.query.allowWatchBookmarks === 'true' && r.query.resourceVersion !== ''),
    ).to.equal(true);
  });

  it('skips a kind whose CRD is not installed with one warning, and picks it up once installed', async () => {
    await startSource();
    await eventually(
      () => lists('/apis/gateway.networking.k8s.io/v1alpha2/tcproutes').length >= 3,
      'retries',
    );
    const warnings = log.entries.filter((e) => e.message.startsWith('Kind is not served'));
    expect(warnings.map((w) => w.kind)).to.deep.equal(['TCPRoute']);
    api.install('tcproutes.gateway.networking.k8s.io');
    api.put({
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TCPRoute',
      metadata: { namespace: 'default', name: 't' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'svc', port: 9000 }] }] },
    });
    await eventually(() => store.get('TCPRoute', 'default', 't') !== undefined, 'the TCPRoute');
    expect(log.entries.filter((e) => e.message.startsWith('Kind is not served'))).to.have.length(1);
  });

  it('synced() waits for lists that fail at first and succeed on retry', async () => {
    api.put(service('default', 'svc'));
    api.injectFault({ method: 'GET', path: /^\/api\/v1\/services$/, watch: false, status: 500, times: 2 });
    await startSource();
    expect(names('Service')).to.deep.equal(['default/svc']);
    expect(failures().map((f) => [f.kind, f.attempt])).to.deep.equal([
      ['Service', 1],
      ['Service', 2],
    ]);
  });

  it('stop() ends every watch and request it started', async () => {
    const baseline = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await startSource();
    await eventually(() => api.openWatches === 14, 'every served kind being watched');
    await source?.stop();
    await eventually(() => api.openWatches === 0, 'the server seeing every watch closed');
    await eventually(
      () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length <= baseline,
      'client sockets closing',
    );
  });

  it('rejects synced() when stopped before the initial lists complete', async () => {
    api.injectFault({ method: 'GET', path: /services/, status: 500 });
    const early = new KubernetesSource({
      kubeConfig: kubeConfigFor(api),
      store,
      logger: log.logger,
      onInvalid: () => {},
      retry: FAST,
    });
    early.start();
    await early.stop();
    let error: unknown;
    await early.synced().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
  });
});
