/**
 * Which virtual hosts HAProxy routes through maps, and the entries they get
 * (drivers/haproxy/maps.ts). What the entries do with real requests is in
 * test/integration/routeMaps.test.ts and the conformance replay.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { changedEntries, planMap } from '../../../../drivers/haproxy/liveUpdate.js';
import { buildPortMaps, MAP_KINDS, portMaps } from '../../../../drivers/haproxy/maps.js';
import {
  changes,
  equals,
  exact,
  fixed,
  forward,
  forwardWith,
  httpsPort,
  port,
  prefix,
  rule,
  to,
  upstream,
  vhost,
} from './fixtures.js';

const web = upstream('web', 80, []);
const api = upstream('api', 80, []);
const plain = (route: string, path = prefix('/'), target = web) => rule(route, 0, path, forward(to(target)));

describe('haproxy driver: route maps', () => {
  it('keys exact paths and prefixes by host + path + "/", and gives every host a catch-all', () => {
    const maps = portMaps(
      port(
        80,
        vhost(
          'a.example',
          rule('a', 0, exact('/x'), forward(to(api))),
          rule('a', 1, prefix('/api'), forward(to(api))),
        ),
        vhost('b.example', plain('b')),
      ),
    );
    expect(maps?.entries('exact')).to.deep.equal([{ key: 'a.example/x/', backend: 'default_api_80' }]);
    expect(maps?.entries('prefix')).to.deep.equal([
      { key: 'a.example/api/', backend: 'default_api_80' },
      { key: 'a.example/', backend: 'no-route' },
      { key: 'b.example/', backend: 'default_web_80' },
    ]);
    expect(maps!.text('prefix')).to.equal(
      'a.example/api/ default_api_80\na.example/ no-route\nb.example/ default_web_80\n',
    );
  });

  it('keeps the first rule of a key, which in model order is the older route', () => {
    const maps = portMaps(
      port(
        80,
        vhost('a.example', plain('older', prefix('/'), api), plain('newer')),
        vhost('b.example', plain('b')),
      ),
    );
    expect(maps?.entries('prefix').find((e) => e.key === 'a.example/')?.backend).to.equal('default_api_80');
  });

  it('lowercases the hostname, as the Host header is lowercased before the lookup', () => {
    const maps = portMaps(port(80, vhost('A.Example', plain('a')), vhost('b.example', plain('b'))));
    expect(maps?.entries('prefix').map((e) => e.key)).to.deep.equal(['a.example/', 'b.example/']);
  });

  const notMapped: { name: string; host: ReturnType<typeof vhost> }[] = [
    { name: 'a wildcard hostname', host: vhost('*.example', plain('w')) },
    { name: 'the catch-all host', host: vhost('*', plain('any')) },
    {
      name: 'a header condition',
      host: vhost(
        'h.example',
        rule('h', 0, { path: prefix('/'), headers: [equals('x', '1')] }, forward(to(web))),
      ),
    },
    {
      name: 'a method condition',
      host: vhost('m.example', rule('m', 0, { path: prefix('/'), method: 'POST' }, forward(to(web)))),
    },
    {
      name: 'a traffic split',
      host: vhost('s.example', rule('s', 0, prefix('/'), forward(to(web), to(api)))),
    },
    {
      name: 'a header change',
      host: vhost(
        'c.example',
        rule('c', 0, prefix('/'), forwardWith({ request: changes([{ name: 'x', value: '1' }]) }, to(web))),
      ),
    },
    { name: 'a fixed answer', host: vhost('f.example', rule('f', 0, prefix('/'), fixed(500))) },
    {
      name: 'a path a map line or a CLI command would misread',
      host: vhost('p.example', plain('p', prefix('/a;b'))),
    },
    { name: 'a path holding a space', host: vhost('q.example', plain('q', exact('/a b'))) },
  ];
  for (const { name, host } of notMapped) {
    it(`leaves a host with ${name} to rule lines`, () => {
      const maps = portMaps(port(80, vhost('a.example', plain('a')), host));
      expect(maps!.mapped).to.deep.equal([true, false]);
      expect(maps!.entries('prefix').map((e) => e.key)).to.deep.equal(['a.example/']);
    });
  }

  it('maps nothing on a port with one host, or on an HTTPS port', () => {
    expect(portMaps(port(80, vhost('a.example', plain('a'))))).to.equal(undefined);
    expect(
      portMaps(httpsPort(443, [vhost('a.example', plain('a')), vhost('b.example', plain('b'))])),
    ).to.equal(undefined);
  });

  describe('a port built from the one before', () => {
    /** Host shapes: mapped to web, mapped to api with an exact path, a header condition (rule lines), no rules. */
    const shapes = [
      (name: string, route: string) => vhost(name, plain(route)),
      (name: string, route: string) =>
        vhost(name, rule(route, 0, exact('/x'), forward(to(api))), plain(route, prefix('/'), web)),
      (name: string, route: string) =>
        vhost(name, rule(route, 0, { path: prefix('/'), headers: [equals('x', '1')] }, forward(to(web)))),
      (name: string) => vhost(name),
    ];
    /** Names sort as the model sorts exact names of one length; `A.example` makes the case-variant case. */
    const NAMES = ['a.example', 'A.example', 'b.example', 'c.example', 'd.example', 'e.example', 'f.example'];
    const step = fc.record({ name: fc.nat(NAMES.length - 1), shape: fc.nat(shapes.length) });

    /** Each step sets the host of one name to one shape (past the last: removes it); the others keep their objects. */
    function ports(steps: readonly { name: number; shape: number }[], number: number) {
      const hosts = new Map<string, ReturnType<typeof vhost>>();
      for (const name of ['b.example', 'c.example', 'd.example']) hosts.set(name, shapes[0]!(name, 'first'));
      const all = [port(number, ...hosts.values())];
      for (const { name, shape } of steps) {
        const hostname = NAMES[name]!;
        const make = shapes[shape];
        if (make) hosts.set(hostname, make(hostname, `r${name}`));
        else hosts.delete(hostname);
        const sorted = [...hosts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, host]) => host);
        all.push(port(number, ...sorted));
      }
      return all;
    }

    it('has the maps a build from scratch gives (fixed seed)', () => {
      let number = 20000;
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
          for (const each of ports(steps, (number += 1))) {
            const maps = portMaps(each);
            const fresh = buildPortMaps(each);
            expect(maps === undefined).to.equal(fresh === undefined);
            if (!maps || !fresh) continue;
            expect(maps.mapped).to.deep.equal(fresh.mapped);
            expect(maps.mixedCase).to.equal(fresh.mixedCase);
            for (const kind of MAP_KINDS) {
              expect(maps.entries(kind)).to.deep.equal(fresh.entries(kind));
              expect(maps.text(kind)).to.equal(fresh.text(kind));
            }
          }
        }),
        { seed: 20261202, numRuns: 300 },
      );
    });

    it('gives the live path the commands a comparison of the whole maps gives (fixed seed)', () => {
      let number = 30000;
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
          const all = ports(steps, (number += 1));
          for (const [i, after] of all.entries()) {
            const before = all[i - 1];
            const [was, now] = [before && portMaps(before), portMaps(after)];
            if (!before || !was || !now) continue;
            const changed = changedEntries(before, was, after, now);
            for (const kind of MAP_KINDS) {
              const plan = planMap(changed.before(kind), changed.after(kind)).map((c) => c('#1'));
              const whole = planMap(was.entries(kind), now.entries(kind)).map((c) => c('#1'));
              expect(plan).to.deep.equal(whole);
            }
          }
        }),
        { seed: 20261203, numRuns: 300 },
      );
    });
  });
});
