import { expect } from 'chai';
import { CONTROLLER_NAME, resolve } from '../../operator/model/index.js';
import { KubernetesSource } from '../../operator/sources/kubernetes/index.js';
import { mergeDataPlaneReports, StatusStamper, type StampedStatus } from '../../operator/status/index.js';
import {
  clientNodeStatusClient,
  KubeStatusWriter,
  type LiveStatusView,
} from '../../operator/status/kubernetes/index.js';
import { Store } from '../../operator/store/index.js';
import { FakeKubeApi, kubeConfigFor, type JsonObject } from '../support/fakeKubeApi/index.js';
import {
  frozenView,
  json,
  OTHER,
  otherControllersEntry,
  parentRef,
  parentsOf,
  routeStatus,
  statusPatches,
  T0,
} from './statusFixtures.js';
import { captureLogger, eventually, gateway, gatewayClass, httpRoute, service } from './support.js';

describe('Kubernetes status writer', () => {
  let api: FakeKubeApi;
  let source: KubernetesSource | undefined;
  let store: Store;

  beforeEach(async () => {
    api = await FakeKubeApi.start();
    store = new Store({ metadata: 'source' });
    source = undefined;
  });

  afterEach(async () => {
    await source?.stop();
    await api.close();
  });

  async function watchAll(): Promise<KubernetesSource> {
    source = new KubernetesSource({
      kubeConfig: kubeConfigFor(api),
      store,
      logger: captureLogger().logger,
      onInvalid: () => {},
    });
    source.start();
    await source.synced();
    return source;
  }

  function writer(live: LiveStatusView): KubeStatusWriter {
    return new KubeStatusWriter({
      client: clientNodeStatusClient(kubeConfigFor(api), 'gateplane'),
      live,
      controllerName: CONTROLLER_NAME,
    });
  }

  it('turns a burst of 1,000 HTTPRoute status changes into at most one write per route per change', async () => {
    api.put(gatewayClass('gp'));
    api.put(gateway('default', 'gw'));
    api.put(service('default', 'svc'));
    for (let i = 0; i < 1000; i++) api.put(httpRoute('default', `r${i}`, `/v1/${i}`));
    const live = await watchAll();
    const stamper = new StatusStamper(() => new Date(T0));
    const desired = () =>
      stamper.stamp(
        mergeDataPlaneReports(
          resolve(store.snapshot(), {
            controllerName: CONTROLLER_NAME,
            defaultDriver: 'nginx',
            supportedFeatures: { nginx: [], haproxy: [] },
          }).statuses,
          new Map(),
        ),
      );
    const statusWriter = writer(live.live);

    // Reconciles that run before the watch has shown our own writes must not repeat them.
    const resume = api.pauseWatches();
    const first = await statusWriter.write(desired());
    await statusWriter.write(desired());
    await statusWriter.write(desired());
    expect(first.written).to.equal(1002);
    expect(statusPatches(api)).to.have.length(1000);
    resume();
    await eventually(
      () => live.live.list('HTTPRoute').every((r) => Array.isArray(r.status.parents)),
      'the watch catching up',
    );
    expect((await statusWriter.write(desired())).written).to.equal(0);

    // Every route's spec changes (generation 2) while reconciles keep running and the watch
    // alternately lags and catches up.
    for (let i = 0; i < 1000; i++) api.put(httpRoute('default', `r${i}`, `/v2/${i}`));
    const settled = () =>
      store
        .snapshot()
        .list('HTTPRoute')
        .every((r) => r.metadata.generation === 2);
    for (let round = 0; !settled(); round++) {
      const lagging = round % 2 === 0 ? api.pauseWatches() : undefined;
      await statusWriter.write(desired());
      lagging?.();
      // Let the watch deliver: a write with nothing to do never leaves the microtask queue.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await statusWriter.write(desired());
    expect(statusPatches(api)).to.have.length(2000);
    const observed = (name: string) =>
      (parentsOf(api, name)[0]?.conditions as JsonObject[])[0]?.observedGeneration;
    expect(Array.from({ length: 1000 }, (_, i) => observed(`r${i}`)).every((g) => g === 2)).to.equal(true);
    expect(api.writes((r) => r.method !== 'PATCH' || !r.path.endsWith('/status'))).to.deep.equal([]);
  });

  it('writes with a merge patch that carries the resourceVersion it compared against', async () => {
    const route = api.put(httpRoute('default', 'r'));
    await writer(frozenView(api, ['r'])).write([routeStatus('r', 1)]);
    const [patch] = statusPatches(api);
    expect(patch?.contentType).to.equal('application/merge-patch+json');
    expect(patch?.query).to.deep.equal({ fieldManager: 'gateplane' });
    expect((patch?.body as { metadata: JsonObject }).metadata).to.deep.equal({
      resourceVersion: (route.metadata as JsonObject).resourceVersion,
    });
  });

  it('on 409, re-reads the route and writes again, keeping the entry another controller wrote meanwhile', async () => {
    api.put(httpRoute('default', 'r'));
    const stale = frozenView(api, ['r']);
    api.put({ ...httpRoute('default', 'r'), status: { parents: [otherControllersEntry()] } });
    const summary = await writer(stale).write([routeStatus('r', 1)]);
    expect(summary).to.include({ written: 1, conflicts: 1 });
    expect(statusPatches(api)).to.have.length(2);
    expect(parentsOf(api, 'r').map((p) => p.controllerName)).to.deep.equal([OTHER, CONTROLLER_NAME]);
    expect(parentsOf(api, 'r')[0]).to.deep.equal(otherControllersEntry());
  });

  it('replaces only our parents entries, and never writes one in another controller’s name', async () => {
    api.put(httpRoute('default', 'r'));
    api.put({
      ...httpRoute('default', 'r'),
      status: { parents: [otherControllersEntry(), json(routeStatus('r', 1).status.parents[0])] },
    });
    const next = routeStatus('r', 1);
    const changed: StampedStatus = {
      ...next,
      status: {
        parents: [
          {
            ...routeStatus('r', 1).status.parents[0]!,
            conditions: [
              {
                type: 'Accepted',
                status: 'False',
                reason: 'NotAllowedByListeners',
                message: 'no',
                observedGeneration: 1,
                lastTransitionTime: T0,
              },
            ],
          },
          { ...routeStatus('r', 1, OTHER).status.parents[0]!, parentRef: parentRef('elsewhere') },
        ],
      },
    };
    await writer(frozenView(api, ['r'])).write([changed]);
    const parents = parentsOf(api, 'r');
    expect(parents).to.have.length(2);
    expect(parents[0]).to.deep.equal(otherControllersEntry());
    expect((parents[1]?.conditions as JsonObject[])[0]).to.include({
      status: 'False',
      reason: 'NotAllowedByListeners',
    });
  });

  it('removes our entries from a route it no longer reports on, leaving other controllers’ entries', async () => {
    api.put(httpRoute('default', 'r'));
    api.put({
      ...httpRoute('default', 'r'),
      status: { parents: [json(routeStatus('r', 1).status.parents[0]), otherControllersEntry()] },
    });
    await writer(frozenView(api, ['r'])).write([]);
    expect(parentsOf(api, 'r')).to.deep.equal([otherControllersEntry()]);
  });

  it('writes nothing when only key order or an unchanged condition’s lastTransitionTime differs', async () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reversed(v)]),
            )
          : value;
    api.put(httpRoute('default', 'r'));
    api.put({ ...httpRoute('default', 'r'), status: reversed(routeStatus('r', 1).status) as JsonObject });
    const later = JSON.parse(
      JSON.stringify(routeStatus('r', 1)).replaceAll(T0, '2026-06-01T00:00:00Z'),
    ) as StampedStatus;
    const summary = await writer(frozenView(api, ['r'])).write([later]);
    expect(summary).to.include({ written: 0, unchanged: 1 });
    expect(statusPatches(api)).to.deep.equal([]);
  });

  it('never writes status for a GatewayClass or Gateway it does not own', async () => {
    api.put(gatewayClass('theirs', OTHER));
    api.put(gateway('default', 'gw', 'theirs'));
    const live = await watchAll();
    const conditions = [
      {
        type: 'Accepted',
        status: 'True' as const,
        reason: 'Accepted',
        message: 'x',
        observedGeneration: 1,
        lastTransitionTime: T0,
      },
    ];
    const summary = await writer(live.live).write([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { namespace: '', name: 'theirs', generation: 1 },
        status: { conditions },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { namespace: 'default', name: 'gw', generation: 1 },
        status: { addresses: [], conditions, listeners: [] },
      },
    ]);
    expect(summary).to.include({ written: 0, skipped: 2 });
    expect(api.writes()).to.deep.equal([]);
  });

  it('skips a status computed from an older generation than the server holds', async () => {
    api.put(httpRoute('default', 'r', '/a'));
    api.put(httpRoute('default', 'r', '/b'));
    const summary = await writer(frozenView(api, ['r'])).write([routeStatus('r', 1)]);
    expect(summary).to.include({ skipped: 1, written: 0 });
    expect(statusPatches(api)).to.deep.equal([]);
  });

  it('writes a cluster-scoped GatewayClass status and removes fields it no longer reports', async () => {
    api.put({
      ...gatewayClass('gp'),
      status: { conditions: [], supportedFeatures: [{ name: 'HTTPRoute' }] },
    });
    const live = await watchAll();
    const conditions = [
      {
        type: 'Accepted',
        status: 'True' as const,
        reason: 'Accepted',
        message: 'x',
        observedGeneration: 1,
        lastTransitionTime: T0,
      },
    ];
    await writer(live.live).write([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { namespace: '', name: 'gp', generation: 1 },
        // An optional field left undefined must be removed on the server, not kept.
        status: { conditions, supportedFeatures: undefined },
      },
    ]);
    const [patch] = statusPatches(api, 'gatewayclasses');
    expect(patch?.path).to.equal('/apis/gateway.networking.k8s.io/v1/gatewayclasses/gp/status');
    expect(api.get('gateway.networking.k8s.io/v1', 'GatewayClass', '', 'gp')?.status).to.deep.equal({
      conditions,
    });
  });
});
