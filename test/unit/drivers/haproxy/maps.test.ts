/**
 * Which virtual hosts HAProxy routes through maps, and the entries they get
 * (drivers/haproxy/maps.ts). What the entries do with real requests is in
 * test/integration/routeMaps.test.ts and the conformance replay.
 */
import { expect } from 'chai';
import { mapFileContent, portMaps } from '../../../../drivers/haproxy/maps.js';
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
    expect(maps?.exact).to.deep.equal([{ key: 'a.example/x/', backend: 'default_api_80' }]);
    expect(maps?.prefix).to.deep.equal([
      { key: 'a.example/api/', backend: 'default_api_80' },
      { key: 'a.example/', backend: 'no-route' },
      { key: 'b.example/', backend: 'default_web_80' },
    ]);
    expect(mapFileContent(maps!.prefix)).to.equal(
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
    expect(maps?.prefix.find((e) => e.key === 'a.example/')?.backend).to.equal('default_api_80');
  });

  it('lowercases the hostname, as the Host header is lowercased before the lookup', () => {
    const maps = portMaps(port(80, vhost('A.Example', plain('a')), vhost('b.example', plain('b'))));
    expect(maps?.prefix.map((e) => e.key)).to.deep.equal(['a.example/', 'b.example/']);
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
      expect([...maps!.hosts]).to.deep.equal([0]);
      expect(maps!.prefix.map((e) => e.key)).to.deep.equal(['a.example/']);
    });
  }

  it('maps nothing on a port with one host, or on an HTTPS port', () => {
    expect(portMaps(port(80, vhost('a.example', plain('a'))))).to.equal(undefined);
    expect(
      portMaps(httpsPort(443, [vhost('a.example', plain('a')), vhost('b.example', plain('b'))])),
    ).to.equal(undefined);
  });
});
