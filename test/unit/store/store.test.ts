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

describe('store snapshots', () => {
  const named = (namespace: string, name: string, path: string): KubeObject =>
    objects(
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: ${name}, namespace: ${namespace} }\nspec: { rules: [{ matches: [{ path: { value: ${path} } }] }] }\n`,
    )[0]!;

  it('list every object sorted by "namespace/name", however few or many changed in between', () => {
    // Namespaces where "a" < "a-x" but "a/..." > "a-x/...": the order is the joined string's.
    const namespaces = ['a', 'a-x', 'b', 'ab'];
    const names = Array.from({ length: 8 }, (_, i) => `r${i}`);
    const store = new Store({ metadata: 'source' });
    const made = new Map<string, KubeObject>();
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 65536) % n;
    };
    for (let round = 0; round < 600; round += 1) {
      // Mostly one or two changes, sometimes a burst that takes the full sort.
      const changes = next(10) === 0 ? 60 : 1 + next(2);
      const upserts: KubeObject[] = [];
      const deletions: { kind: 'HTTPRoute'; namespace: string; name: string }[] = [];
      for (let i = 0; i < changes; i += 1) {
        const namespace = namespaces[next(namespaces.length)]!;
        const name = names[next(names.length)]!;
        const key = `${namespace}/${name}`;
        if (next(3) === 0) deletions.push({ kind: 'HTTPRoute', namespace, name });
        // Sometimes the very object given before: after a deletion it comes back as itself.
        else if (next(4) === 0 && made.has(key)) upserts.push(made.get(key)!);
        else {
          const object = named(namespace, name, `/p${round}-${i}`);
          made.set(key, object);
          upserts.push(object);
        }
      }
      store.apply(upserts, deletions);
      // Sometimes several batches between two snapshots: an object may leave and come back.
      if (next(3) === 0) continue;
      const listed = store.snapshot().list('HTTPRoute');
      const expected = store
        .keys()
        .map((key) => key.split('/'))
        .map(([, namespace, name]) => store.get('HTTPRoute', namespace!, name!)!)
        .sort((x, y) => {
          const a = `${x.metadata.namespace}/${x.metadata.name}`;
          const b = `${y.metadata.namespace}/${y.metadata.name}`;
          return a < b ? -1 : a > b ? 1 : 0;
        });
      expect(listed, `round ${round}`).to.have.length(expected.length);
      listed.forEach((object, i) => expect(object, `round ${round}, item ${i}`).to.equal(expected[i]));
    }
  });

  it('list an object once when it left and came back as itself between two snapshots', () => {
    const store = new Store({ metadata: 'source' });
    const object = named('a', 'r1', '/a');
    store.apply([object, named('b', 'r2', '/b')]);
    store.snapshot();
    store.apply([], [{ kind: 'HTTPRoute', namespace: 'a', name: 'r1' }]);
    store.apply([object]);
    expect(
      store
        .snapshot()
        .list('HTTPRoute')
        .map((o) => o.metadata.name),
    ).to.deep.equal(['r1', 'r2']);
  });

  it('keep the list of a kind that did not change', () => {
    const store = new Store({ metadata: 'source' });
    store.apply([named('a', 'r1', '/a')]);
    const before = store.snapshot().list('HTTPRoute');
    store.apply(objects('apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n'));
    expect(store.snapshot().list('HTTPRoute')).to.equal(before);
  });
});
