import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { JsonObject } from '../support/fakeKubeApi/index.js';
import { failure, GW, harness, metaOf, until } from './fakeKubeApiHarness.js';

describe('fake Kubernetes API server: watches and test hooks', () => {
  const h = harness();

  it('streams ADDED, MODIFIED, DELETED and BOOKMARK events from a resourceVersion', async () => {
    const before = await h.createGateway('old');
    const seen = await h.watch('/apis/gateway.networking.k8s.io/v1/gateways', {
      resourceVersion: metaOf(before).resourceVersion,
      allowWatchBookmarks: true,
    });
    await h.createGateway('g');
    await h.custom.patchNamespacedCustomObject(
      {
        ...GW,
        namespace: 'default',
        plural: 'gateways',
        name: 'g',
        body: { metadata: { labels: { x: 'y' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await h.custom.deleteNamespacedCustomObject({
      ...GW,
      namespace: 'default',
      plural: 'gateways',
      name: 'g',
    });
    h.api.sendBookmarks();
    await until(() => seen.events.length === 4);
    expect(seen.events.map((e) => `${e.type} ${metaOf(e.object).resourceVersion}`)).to.deep.equal([
      'ADDED 3',
      'MODIFIED 4',
      'DELETED 5',
      'BOOKMARK 5',
    ]);
  });

  it('ends a watch from a compacted resourceVersion with an ERROR event carrying 410', async () => {
    await h.createGateway('a');
    await h.createGateway('b');
    h.api.compact();
    const seen = await h.watch('/apis/gateway.networking.k8s.io/v1/gateways', { resourceVersion: '1' });
    expect(await seen.done).to.equal(null);
    expect(seen.events).to.have.length(1);
    expect(seen.events[0]?.type).to.equal('ERROR');
    expect(seen.events[0]?.object).to.include({ code: 410, reason: 'Expired' });
  });

  it('retains only the configured history', async () => {
    await h.restart({ historyLimit: 2 });
    for (const name of ['a', 'b', 'c', 'd']) await h.createGateway(name);
    const tooOld = await h.watch('/apis/gateway.networking.k8s.io/v1/gateways', { resourceVersion: '1' });
    expect(await tooOld.done).to.equal(null);
    expect(tooOld.events[0]?.object).to.include({ code: 410 });
    const recent = await h.watch('/apis/gateway.networking.k8s.io/v1/gateways', { resourceVersion: '3' });
    await until(() => recent.events.length === 2);
    expect(recent.events.map((e) => metaOf(e.object).name)).to.deep.equal(['c', 'd']);
  });

  it('cuts watches as a network failure would, and ends them cleanly as a timeout would', async () => {
    const cut = await h.watch('/api/v1/services', {});
    const ended = await h.watch('/api/v1/services', {});
    await until(() => h.api.openWatches === 2);
    h.api.dropWatches();
    expect(await cut.done).to.be.instanceOf(Error);
    const timed = await h.watch('/api/v1/services', { timeoutSeconds: 0 });
    await until(() => h.api.openWatches === 1);
    h.api.closeWatches();
    expect(await timed.done).to.equal(null);
    expect(await ended.done).to.be.instanceOf(Error);
  });

  it('deletes dependents in the background once all their owners are gone', async () => {
    const owner = await h.createGateway('gw');
    const other = await h.createGateway('other');
    const ref = (o: JsonObject) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      name: metaOf(o).name,
      uid: metaOf(o).uid,
    });
    await h.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'only', ownerReferences: [ref(owner)] } },
    });
    await h.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'shared', ownerReferences: [ref(owner), ref(other)] } },
    });
    await h.custom.deleteNamespacedCustomObject({
      ...GW,
      namespace: 'default',
      plural: 'gateways',
      name: 'gw',
    });
    const left = await h.core.listNamespacedConfigMap({ namespace: 'default' });
    expect(left.items.map((c) => c.metadata?.name)).to.deep.equal(['shared']);
  });

  it('answers 404 for a CRD that is not installed, until it is', async () => {
    const list = h.custom.listClusterCustomObject({
      group: GW.group,
      version: 'v1alpha2',
      plural: 'tcproutes',
    });
    expect((await failure(list)).code).to.equal(404);
    h.api.install('tcproutes.gateway.networking.k8s.io');
    const installed = (await h.custom.listClusterCustomObject({
      group: GW.group,
      version: 'v1alpha2',
      plural: 'tcproutes',
    })) as { items: unknown[] };
    expect(installed.items).to.deep.equal([]);
  });

  it('fails injected requests, then recovers', async () => {
    const remove = h.api.injectFault({ method: 'GET', path: /services/, status: 503, times: 1 });
    expect((await failure(h.core.listServiceForAllNamespaces())).code).to.equal(503);
    expect((await h.core.listServiceForAllNamespaces()).items).to.deep.equal([]);
    remove();
  });

  it('records every request with method, path, query, content type and body', async () => {
    await h.custom
      .patchNamespacedCustomObjectStatus(
        {
          ...GW,
          namespace: 'default',
          plural: 'gateways',
          name: 'missing',
          body: { status: {} },
          fieldManager: 'gp',
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch(() => undefined);
    expect(h.api.writes()).to.deep.equal([
      {
        method: 'PATCH',
        path: '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/missing/status',
        query: { fieldManager: 'gp' },
        contentType: 'application/merge-patch+json',
        body: { status: {} },
      },
    ]);
  });
});
