import { expect } from 'chai';
import { parseManifestText } from '../../../operator/sources/files.js';
import { Store } from '../../../operator/store/index.js';
import type { KubeObject } from '../../../operator/api/kinds.js';

function objects(yaml: string): readonly KubeObject[] {
  return parseManifestText('t.yaml', yaml).objects;
}

const route = (path: string, labels = '{}'): string =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: r, namespace: default, labels: ${labels} }\nspec: { rules: [{ matches: [{ path: { value: ${path} } }] }] }\n`;

describe('store', () => {
  const now = (): Date => new Date('2026-03-04T05:06:07.891Z');

  it('starts generation at 1 and stamps creationTimestamp when the source gives none', () => {
    const store = new Store({ metadata: 'track', now });
    store.apply(objects(route('/a')));
    const stored = store.get('HTTPRoute', 'default', 'r');
    expect(stored?.metadata).to.include({ generation: 1, creationTimestamp: '2026-03-04T05:06:07Z' });
  });

  it('bumps generation when the spec changes, and not when only labels change', () => {
    const store = new Store({ metadata: 'track', now });
    store.apply(objects(route('/a')));
    store.apply(objects(route('/a', '{ team: x }')));
    expect(store.get('HTTPRoute', 'default', 'r')?.metadata.generation).to.equal(1);
    store.apply(objects(route('/b', '{ team: x }')));
    expect(store.get('HTTPRoute', 'default', 'r')?.metadata.generation).to.equal(2);
  });

  it('reports no change and keeps the snapshot for an identical update', () => {
    const store = new Store({ metadata: 'track', now });
    store.apply(objects(route('/a')));
    const before = store.snapshot();
    expect(store.apply(objects(route('/a')))).to.deep.equal([]);
    expect(store.snapshot()).to.equal(before);
  });

  it('tells listeners once per batch, with every change in it', () => {
    const store = new Store({ metadata: 'track', now });
    const heard: string[][] = [];
    store.onChange((changes) => heard.push(changes.map((c) => `${c.type} ${c.kind}/${c.name}`)));
    store.apply(objects(route('/a')));
    store.apply([], [{ kind: 'HTTPRoute', namespace: 'default', name: 'r' }]);
    expect(heard).to.deep.equal([['added HTTPRoute/r'], ['deleted HTTPRoute/r']]);
  });

  it('restarts generation at 1 for an object deleted and created again', () => {
    const store = new Store({ metadata: 'track', now });
    store.apply(objects(route('/a')));
    store.apply(objects(route('/b')));
    store.apply([], [{ kind: 'HTTPRoute', namespace: 'default', name: 'r' }]);
    store.apply(objects(route('/c')));
    expect(store.get('HTTPRoute', 'default', 'r')?.metadata.generation).to.equal(1);
  });

  it('indexes EndpointSlices by the Service named in their label', () => {
    const store = new Store({ metadata: 'track', now });
    store.apply(
      objects(
        'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: { name: s-1, namespace: ns, labels: { kubernetes.io/service-name: s } }\naddressType: IPv4\nendpoints: []\n',
      ),
    );
    expect(
      store
        .snapshot()
        .endpointSlicesFor('ns', 's')
        .map((s) => s.metadata.name),
    ).to.deep.equal(['s-1']);
    expect(store.snapshot().endpointSlicesFor('other', 's')).to.deep.equal([]);
  });
});
