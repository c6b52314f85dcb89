import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { JsonObject } from '../support/fakeKubeApi/index.js';
import { failure, gateway, GW, harness, metaOf } from './fakeKubeApiHarness.js';

describe('fake Kubernetes API server: objects', () => {
  const h = harness();

  it('assigns uid, creationTimestamp, generation 1 and a new resourceVersion on create', async () => {
    const first = await h.createGateway('a');
    const second = await h.createGateway('b');
    const a = first.metadata as JsonObject;
    expect(a.uid).to.be.a('string').and.not.equal(metaOf(second).uid);
    expect(a.creationTimestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a.generation).to.equal(1);
    expect(Number(metaOf(second).resourceVersion)).to.be.greaterThan(Number(a.resourceVersion));
  });

  it('answers 409 AlreadyExists and 404 NotFound with Status bodies like the real server', async () => {
    await h.createGateway('a');
    expect(await failure(h.createGateway('a'))).to.deep.equal({
      code: 409,
      reason: 'AlreadyExists',
      message: 'gateways.gateway.networking.k8s.io "a" already exists',
    });
    expect(await failure(h.core.readNamespacedService({ namespace: 'default', name: 'nope' }))).to.deep.equal(
      {
        code: 404,
        reason: 'NotFound',
        message: 'services "nope" not found',
      },
    );
  });

  it('lists across all namespaces or within one, with the list resourceVersion', async () => {
    await h.createGateway('a', 'one');
    await h.createGateway('b', 'two');
    const all = (await h.custom.listClusterCustomObject({ ...GW, plural: 'gateways' })) as {
      items: JsonObject[];
      metadata: JsonObject;
    };
    expect(all.items.map((i) => metaOf(i).name)).to.deep.equal(['a', 'b']);
    expect(all.metadata.resourceVersion).to.equal('3');
    const one = (await h.custom.listNamespacedCustomObject({
      ...GW,
      namespace: 'two',
      plural: 'gateways',
    })) as { items: JsonObject[] };
    expect(one.items.map((i) => metaOf(i).name)).to.deep.equal(['b']);
  });

  it('pages a list with limit and continue, and expires a token whose version was compacted', async () => {
    for (const name of ['c', 'a', 'b']) await h.createGateway(name);
    const page = (query: { limit: number; _continue?: string }) =>
      h.custom.listNamespacedCustomObject({
        ...GW,
        namespace: 'default',
        plural: 'gateways',
        ...query,
      }) as Promise<{
        items: JsonObject[];
        metadata: { continue?: string; resourceVersion: string };
      }>;
    const first = await page({ limit: 2 });
    expect(first.items.map((i) => metaOf(i).name)).to.deep.equal(['a', 'b']);
    const second = await page({ limit: 2, _continue: first.metadata.continue ?? '' });
    expect(second.items.map((i) => metaOf(i).name)).to.deep.equal(['c']);
    expect(second.metadata).to.deep.equal({ resourceVersion: first.metadata.resourceVersion });
    await h.createGateway('d');
    h.api.compact();
    expect(await failure(page({ limit: 2, _continue: first.metadata.continue ?? '' }))).to.include({
      code: 410,
    });
  });

  it('leaves apiVersion and kind out of built-in list items, but not out of custom ones', async () => {
    await h.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'c' }, data: { k: 'v' } },
    });
    await h.createGateway('g');
    const raw = async (path: string): Promise<JsonObject[]> =>
      ((await (await fetch(h.api.url + path)).json()) as { items: JsonObject[] }).items;
    expect((await raw('/api/v1/configmaps'))[0]).to.not.have.property('kind');
    expect((await raw('/apis/gateway.networking.k8s.io/v1/gateways'))[0]).to.include({ kind: 'Gateway' });
  });

  it('bumps generation on spec changes only, and writes status only through the subresource', async () => {
    const created = await h.createGateway('g');
    const target = { ...GW, namespace: 'default', plural: 'gateways', name: 'g' };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const labelled = (await h.custom.patchNamespacedCustomObject(
      { ...target, body: { metadata: { labels: { a: 'b' } } } },
      merge,
    )) as JsonObject;
    expect(metaOf(labelled).generation).to.equal(1);
    const ignored = (await h.custom.patchNamespacedCustomObject(
      { ...target, body: { status: { conditions: [] } } },
      merge,
    )) as JsonObject;
    expect(ignored).to.not.have.property('status');
    expect(metaOf(ignored).resourceVersion).to.equal(metaOf(labelled).resourceVersion);
    const withStatus = (await h.custom.patchNamespacedCustomObjectStatus(
      { ...target, body: { spec: { gatewayClassName: 'other' }, status: { addresses: [] } } },
      merge,
    )) as JsonObject;
    expect(withStatus.status).to.deep.equal({ addresses: [] });
    expect(withStatus.spec).to.deep.equal(created.spec);
    expect(metaOf(withStatus).generation).to.equal(1);
    const replaced = (await h.custom.replaceNamespacedCustomObject({
      ...target,
      body: {
        ...gateway('g'),
        metadata: { name: 'g', resourceVersion: metaOf(withStatus).resourceVersion },
        spec: { gatewayClassName: 'other', listeners: [] },
      },
    })) as JsonObject;
    expect(metaOf(replaced).generation).to.equal(2);
    expect(replaced.status).to.deep.equal({ addresses: [] });
    const statusGet = (await h.custom.getNamespacedCustomObjectStatus(target)) as JsonObject;
    expect(statusGet.status).to.deep.equal({ addresses: [] });
  });

  it('replaces only the status on PUT to the status subresource, with the same concurrency check', async () => {
    const created = await h.createGateway('g');
    const target = { ...GW, namespace: 'default', plural: 'gateways', name: 'g' };
    const body = {
      ...created,
      spec: { gatewayClassName: 'changed', listeners: [] },
      status: { addresses: [{ value: '10.0.0.1' }] },
    };
    const replaced = (await h.custom.replaceNamespacedCustomObjectStatus({ ...target, body })) as JsonObject;
    expect(replaced.status).to.deep.equal({ addresses: [{ value: '10.0.0.1' }] });
    expect(replaced.spec).to.deep.equal(created.spec);
    expect(metaOf(replaced).generation).to.equal(1);
    const stale = h.custom.replaceNamespacedCustomObjectStatus({
      ...target,
      body: { ...created, status: {} },
    });
    expect(await failure(stale)).to.include({ code: 409, reason: 'Conflict' });
  });

  it('rejects a PUT or a merge patch carrying a stale resourceVersion with 409 Conflict', async () => {
    const created = await h.createGateway('g');
    const stale = metaOf(created).resourceVersion;
    const target = { ...GW, namespace: 'default', plural: 'gateways', name: 'g' };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await h.custom.patchNamespacedCustomObjectStatus(
      { ...target, body: { status: { addresses: [] } } },
      merge,
    );
    const patch = h.custom.patchNamespacedCustomObjectStatus(
      { ...target, body: { metadata: { resourceVersion: stale }, status: { addresses: [{ value: 'x' }] } } },
      merge,
    );
    expect(await failure(patch)).to.include({ code: 409, reason: 'Conflict' });
    const put = h.custom.replaceNamespacedCustomObject({
      ...target,
      body: { ...created, metadata: { name: 'g', resourceVersion: stale } },
    });
    expect(await failure(put)).to.include({ code: 409, reason: 'Conflict' });
    const current = (await h.custom.getNamespacedCustomObject(target)) as JsonObject;
    expect(current.status).to.deep.equal({ addresses: [] });
  });

  it('applies JSON patches (client-node typed default), strategic merge to built-ins, and refuses it for CRDs', async () => {
    await h.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'c' }, data: { a: '1' } },
    });
    const patched = await h.core.patchNamespacedConfigMap({
      namespace: 'default',
      name: 'c',
      body: [{ op: 'add', path: '/data/b', value: '2' }],
    });
    expect(patched.data).to.deep.equal({ a: '1', b: '2' });
    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    const merged = await h.core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'c', body: { data: { a: null } } },
      strategic,
    );
    expect(merged.data).to.deep.equal({ b: '2' });
    await h.createGateway('g');
    const refused = h.custom.patchNamespacedCustomObject(
      { ...GW, namespace: 'default', plural: 'gateways', name: 'g', body: { spec: {} } },
      strategic,
    );
    expect(await failure(refused)).to.include({ code: 415 });
    expect(h.api.requests.filter((r) => r.method === 'PATCH').map((r) => r.contentType)).to.deep.equal([
      'application/json-patch+json',
      'application/strategic-merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
  });

  it('creates with server-side apply when missing, merges the applied fields and records the field manager', async () => {
    const apps = h.kc.makeApiClient(AppsV1Api);
    const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'proxy', namespace: 'default', labels: { app: 'proxy' } },
      spec: { replicas: 1 },
    };
    const created = await apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'proxy', body, fieldManager: 'gateplane' },
      apply,
    );
    expect(created.metadata?.generation).to.equal(1);
    const updated = await apps.patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'proxy',
        body: { ...body, spec: { replicas: 2 } },
        fieldManager: 'gateplane',
        force: true,
      },
      apply,
    );
    expect(updated.spec?.replicas).to.equal(2);
    expect(updated.metadata?.generation).to.equal(2);
    expect(updated.metadata?.managedFields?.map((f) => [f.manager, f.operation])).to.deep.equal([
      ['gateplane', 'Apply'],
    ]);
    const missingManager = apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'proxy', body },
      apply,
    );
    expect(await failure(missingManager)).to.include({ code: 422 });
  });
});
