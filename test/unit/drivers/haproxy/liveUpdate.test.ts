/**
 * When the HAProxy driver applies a change live (drivers/haproxy/liveUpdate.ts): which model
 * changes qualify, and which runtime API commands a backend's slots get. The real proxy is in
 * test/integration/drivers/haproxyLive.test.ts.
 */
import { expect } from 'chai';
import type { GatewayModel, Upstream } from '../../../../operator/model/types.js';
import {
  DYNAMIC_SERVER_OPTIONS,
  applyLiveHaproxy,
  changedUpstreams,
  liveDifferenceOnly,
  loadedMaps,
  planMap,
  planBackend,
} from '../../../../drivers/haproxy/liveUpdate.js';
import type { LiveServer } from '../../../../drivers/haproxy/runtimeApi.js';
import { slotCapacity } from '../../../../drivers/haproxy/slots.js';
import {
  endpoint,
  equals,
  exact,
  fixed,
  forward,
  gateway,
  port,
  prefix,
  rule,
  target,
  to,
  upstream,
  vhost,
} from './fixtures.js';

function model(
  endpoints: string[],
  extra: { route?: boolean; workers?: number; other?: Upstream } = {},
): GatewayModel {
  const web = upstream(
    'web',
    80,
    endpoints.map((e) => endpoint(e.split(' ')[0]!, Number(e.split(' ')[1]))),
  );
  const upstreams = [web, ...(extra.other ? [extra.other] : [])].sort((a, b) => (a.name < b.name ? -1 : 1));
  const rules = [
    rule('web', 0, prefix('/'), forward(to(web), ...(extra.other ? [to(extra.other)] : []))),
    ...(extra.route ? [rule('web', 1, exact('/teapot'), fixed(418))] : []),
  ];
  return gateway(
    [port(8080, vhost('*', ...rules))],
    upstreams,
    extra.workers ? { workers: extra.workers } : {},
  );
}

/** One backend's slots: `addr port` serving, `addr port maint`, optionally `used=N`. */
function slots(...specs: string[]): LiveServer[] {
  return specs.map((spec, index) => {
    const [address, port, ...flags] = spec.split(' ');
    const used = flags.find((flag) => flag.startsWith('used='));
    return {
      backend: 'default_web_80',
      name: `ep${index}`,
      address: address!,
      port: Number(port),
      serving: !flags.includes('maint'),
      used: used ? Number(used.slice(5)) : 0,
    };
  });
}

const PLACEHOLDER = '127.0.0.1 1 maint';
const at = (i: number, what: string): string => `set server default_web_80/ep${i} ${what}`;
/** The commands that add dynamic server dyn<i> for `address:port` and make it ready. */
const dyn = (i: number, address: string): string[] => [
  `add server default_web_80/dyn${i} ${address} ${DYNAMIC_SERVER_OPTIONS}`,
  `set server default_web_80/dyn${i} state ready`,
];
const eps = (e: string[]) => e.map((spec) => endpoint(spec.split(' ')[0]!, Number(spec.split(' ')[1])));

describe('haproxy driver: live endpoint updates', () => {
  describe('which changes can be made live', () => {
    const served = model(['10.0.0.1 80']);
    const cases: { name: string; next: GatewayModel; live: boolean }[] = [
      { name: 'endpoints added to an upstream', next: model(['10.0.0.1 80', '10.0.0.2 80']), live: true },
      { name: 'every endpoint removed', next: model([]), live: true },
      { name: 'an endpoint moved to another port', next: model(['10.0.0.1 81']), live: true },
      { name: 'nothing at all', next: model(['10.0.0.1 80']), live: true },
      { name: 'a new rule', next: model(['10.0.0.1 80'], { route: true }), live: false },
      { name: 'new proxy settings', next: model(['10.0.0.1 80'], { workers: 2 }), live: false },
      {
        name: 'a rule that now also sends traffic to another upstream',
        next: model(['10.0.0.1 80'], { other: upstream('other', 80, []) }),
        live: false,
      },
    ];
    for (const c of cases) {
      it(`${c.live ? 'applies' : 'reloads for'} ${c.name}`, () => {
        expect(liveDifferenceOnly(served, c.next)).to.equal(c.live);
      });
    }

    describe('on a port whose hosts are mapped', () => {
      const web = upstream('web', 80, eps(['10.0.0.1 80']));
      const api = upstream('api', 80, eps(['10.0.0.2 80']));
      const other = upstream('other', 80, eps(['10.0.0.3 80']));
      const host = (name: string, ...rules: ReturnType<typeof rule>[]) => vhost(name, ...rules);
      const plain = (route: string, to_: Upstream, path = prefix('/')) =>
        rule(route, 0, path, forward(to(to_)));
      const mapped = (...hosts: ReturnType<typeof vhost>[]) =>
        gateway(
          [port(8080, ...hosts)],
          [api, web].sort((a, b) => (a.name < b.name ? -1 : 1)),
        );
      const served = mapped(host('a.example', plain('a', web)), host('b.example', plain('b', api)));
      const cases: { name: string; next: GatewayModel; live: boolean }[] = [
        {
          name: 'a host added whose route forwards to an existing backend',
          next: mapped(
            host('a.example', plain('a', web)),
            host('b.example', plain('b', api)),
            host('c.example', plain('c', web, exact('/x'))),
          ),
          live: true,
        },
        {
          name: 'a host removed',
          next: mapped(host('a.example', plain('a', web)), host('b.example', plain('b', web))),
          live: true,
        },
        {
          name: 'a route moved to another existing backend',
          next: mapped(host('a.example', plain('a', api)), host('b.example', plain('b', api))),
          live: true,
        },
        {
          name: 'a rule with a header condition',
          next: mapped(
            host(
              'a.example',
              rule('a', 0, { path: prefix('/'), headers: [equals('x', 'y')] }, forward(to(web))),
            ),
            host('b.example', plain('b', api)),
          ),
          live: false,
        },
        {
          name: 'a wildcard host',
          next: mapped(
            host('a.example', plain('a', web)),
            host('b.example', plain('b', api)),
            host('*.example', plain('w', web)),
          ),
          live: false,
        },
        {
          name: 'a port left with one host (no maps)',
          next: mapped(host('a.example', plain('a', web))),
          live: false,
        },
        {
          // Live only if the running proxy has its backend: applyLiveHaproxy asks it.
          name: 'a route to an upstream the served model does not have',
          next: gateway(
            [
              port(
                8080,
                host('a.example', plain('a', web)),
                host('b.example', plain('b', api)),
                host('c.example', plain('c', other)),
              ),
            ],
            [api, other, web],
          ),
          live: true,
        },
      ];
      for (const c of cases) {
        it(`${c.live ? 'applies' : 'reloads for'} ${c.name}`, () => {
          expect(liveDifferenceOnly(served, c.next)).to.equal(c.live);
        });
      }
    });

    it('touches only the upstreams whose endpoints changed', () => {
      const other = upstream('other', 80, eps(['10.0.1.1 80']));
      const before = model(['10.0.0.1 80'], { other });
      const after = model(['10.0.0.1 80'], { other: upstream('other', 80, eps(['10.0.1.2 80'])) });
      expect(changedUpstreams(before, after).map((u) => u.name)).to.deep.equal(['default_other_80']);
      expect(changedUpstreams(before, before)).to.deep.equal([]);
    });

    it('answers false for a change beyond endpoints without asking the proxy', async () => {
      // The runtime directory has no admin socket: any command would reject.
      const next = model(['10.0.0.1 80'], { route: true });
      expect(await applyLiveHaproxy(served, next, target('/nonexistent/gateplane'))).to.equal(false);
    });

    it('rejects, naming the socket, when the proxy cannot be asked', async () => {
      const error: unknown = await applyLiveHaproxy(
        served,
        model([]),
        target('/nonexistent/gateplane'),
      ).catch((caught: unknown) => caught);
      expect(error)
        .to.be.instanceOf(Error)
        .with.property('message')
        .that.contains('/nonexistent/gateplane/admin.sock');
    });
  });

  describe('which map commands a port gets', () => {
    const entry = (key: string, backend: string) => ({ key, backend });
    it('adds and changes entries before it deletes any', () => {
      const plan = planMap(
        [entry('a.example/', 'web'), entry('b.example/', 'web'), entry('c.example/', 'no-route')],
        [entry('a.example/', 'api'), entry('c.example/', 'no-route'), entry('d.example/x/', 'web')],
      ).map((command) => command('#3'));
      expect(plan).to.deep.equal([
        'add map #3 d.example/x/ web',
        'set map #3 a.example/ api',
        'del map #3 b.example/',
      ]);
    });

    it('has nothing to say when the entries are the same', () => {
      expect(planMap([entry('a.example/', 'web')], [entry('a.example/', 'web')])).to.deep.equal([]);
    });

    it('reads which maps the proxy loaded from `show map`', () => {
      const listing = [
        '# id (file) description',
        "0 (/run/g/maps/http-80-exact-0123456789abcdef.map) pattern loaded from file '/run/g/maps/http-80-exact-0123456789abcdef.map' used by map at file '/run/g/haproxy.cfg' line 40. curr_ver=0 next_ver=0 entry_cnt=0",
        "1 (/run/g/maps/http-80-prefix-fedcba9876543210.map) pattern loaded from file '/run/g/maps/http-80-prefix-fedcba9876543210.map' used by map at file '/run/g/haproxy.cfg' line 41. curr_ver=0 next_ver=0 entry_cnt=2",
        '',
      ].join('\n');
      expect(loadedMaps(listing)).to.deep.equal([
        { id: 0, file: '/run/g/maps/http-80-exact-0123456789abcdef.map' },
        { id: 1, file: '/run/g/maps/http-80-prefix-fedcba9876543210.map' },
      ]);
    });
  });

  describe('which slot commands a backend gets', () => {
    const cases: {
      name: string;
      slots: LiveServer[];
      endpoints: string[];
      commands: string[];
    }[] = [
      {
        name: 'fills placeholders with new endpoints, in slot order, and keeps the ones serving',
        slots: slots('10.0.0.1 80', PLACEHOLDER, PLACEHOLDER, PLACEHOLDER),
        endpoints: ['10.0.0.1 80', '10.0.0.2 80', '10.0.0.3 80'],
        commands: [
          at(1, 'addr 10.0.0.2 port 80'),
          at(1, 'state ready'),
          at(2, 'addr 10.0.0.3 port 80'),
          at(2, 'state ready'),
        ],
      },
      {
        name: 'puts the slots of removed endpoints in maintenance, without re-pointing them',
        slots: slots('10.0.0.1 80', '10.0.0.2 80', '10.0.0.3 80', PLACEHOLDER),
        endpoints: ['10.0.0.2 80'],
        commands: [at(0, 'state maint'), at(2, 'state maint')],
      },
      {
        name: 'adds before it removes, so that a backend whose endpoints are all replaced is never empty',
        slots: slots('10.0.0.1 80', PLACEHOLDER),
        endpoints: ['10.0.0.9 80'],
        commands: [at(1, 'addr 10.0.0.9 port 80'), at(1, 'state ready'), at(0, 'state maint')],
      },
      {
        name: 'gives a returning endpoint its old slot back, even with requests still in flight there',
        slots: slots('10.0.0.1 80', '10.0.0.2 80 maint used=3', PLACEHOLDER),
        endpoints: ['10.0.0.1 80', '10.0.0.2 80'],
        commands: [at(1, 'state ready')],
      },
      {
        name: 'never re-points a slot that still carries a request',
        slots: slots('10.0.0.1 80', '10.0.0.2 80 maint used=1', PLACEHOLDER),
        endpoints: ['10.0.0.1 80', '10.0.0.3 80'],
        commands: [at(2, 'addr 10.0.0.3 port 80'), at(2, 'state ready')],
      },
      {
        name: 'adds a dynamic server when the only free slots carry requests',
        slots: slots('10.0.0.1 80', '10.0.0.2 80 maint used=1'),
        endpoints: ['10.0.0.1 80', '10.0.0.3 80'],
        commands: dyn(0, '10.0.0.3:80'),
      },
      {
        name: 'adds a dynamic server rather than re-point a slot it frees in the same update',
        slots: slots('10.0.0.1 80'),
        endpoints: ['10.0.0.2 80'],
        commands: [...dyn(0, '10.0.0.2:80'), at(0, 'state maint')],
      },
      {
        name: 'fills the free slots first, then adds dynamic servers for the rest, in model order',
        slots: slots('10.0.0.1 80', PLACEHOLDER, PLACEHOLDER),
        endpoints: ['10.0.0.1 80', '10.0.0.2 80', '10.0.0.3 80', '10.0.0.4 80', 'fd00::5 80'],
        commands: [
          at(1, 'addr 10.0.0.2 port 80'),
          at(1, 'state ready'),
          at(2, 'addr 10.0.0.3 port 80'),
          at(2, 'state ready'),
          ...dyn(0, '10.0.0.4:80'),
          ...dyn(1, '[fd00::5]:80'),
        ],
      },
      {
        name: 'shrinks into a capacity larger than a fresh render would give',
        slots: slots(...Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1} 80`)),
        endpoints: ['10.0.0.20 80'],
        commands: Array.from({ length: 19 }, (_, i) => at(i, 'state maint')),
      },
      {
        name: 'matches IPv6 endpoints however the model spells them',
        slots: slots('fd00::1 80', PLACEHOLDER),
        endpoints: ['FD00:0:0::1 80', 'fd00::2 80'],
        commands: [at(1, 'addr fd00::2 port 80'), at(1, 'state ready')],
      },
      {
        name: 'serves an endpoint listed twice from two slots, as a rendered configuration would',
        slots: slots('10.0.0.1 80', PLACEHOLDER),
        endpoints: ['10.0.0.1 80', '10.0.0.1 80'],
        commands: [at(1, 'addr 10.0.0.1 port 80'), at(1, 'state ready')],
      },
      {
        name: 'sends nothing when the slots already serve the endpoints',
        slots: slots('10.0.0.2 80', '10.0.0.1 80', PLACEHOLDER),
        endpoints: ['10.0.0.1 80', '10.0.0.2 80'],
        commands: [],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(planBackend('default_web_80', c.slots, eps(c.endpoints))).to.deep.equal(c.commands);
      });
    }

    it('reuses dynamic servers in maintenance, and names new ones after the names taken', () => {
      const live: LiveServer[] = [
        ...slots('10.0.0.1 80'),
        { ...slots('10.0.0.7 80 maint')[0]!, name: 'dyn0' },
        { ...slots('10.0.0.8 80 used=1 maint')[0]!, name: 'dyn1' },
        { ...slots('10.0.0.9 80')[0]!, name: 'dyn3' },
      ];
      expect(
        planBackend(
          'default_web_80',
          live,
          eps(['10.0.0.1 80', '10.0.0.2 80', '10.0.0.3 80', '10.0.0.4 80']),
        ),
      ).to.deep.equal([
        'set server default_web_80/dyn0 addr 10.0.0.2 port 80',
        'set server default_web_80/dyn0 state ready',
        ...dyn(2, '10.0.0.3:80'),
        ...dyn(4, '10.0.0.4:80'),
        'set server default_web_80/dyn3 state maint',
      ]);
    });

    it('grows any backend to any size without a reload', () => {
      const fifty = Array.from({ length: 50 }, (_, i) => `10.0.1.${i + 1} 80`);
      const commands = planBackend(
        'default_web_80',
        slots('10.0.0.1 80', ...Array.from({ length: 7 }, () => PLACEHOLDER)),
        eps(fifty),
      );
      expect(commands.filter((c) => c.startsWith('add server'))).to.have.length(50 - 7); // 7 placeholders; ep0 serves an endpoint no longer wanted
      expect(commands.filter((c) => c.endsWith('state ready'))).to.have.length(50);
      expect(commands.at(-1)).to.equal(at(0, 'state maint'));
    });

    it('lets a configuration rendered for n endpoints double without a dynamic server', () => {
      for (const n of [0, 1, 3, 4, 5, 50]) {
        const capacity = slotCapacity(n);
        const start = Array.from({ length: n }, (_, i) => `10.0.0.${i + 1} 80`);
        const loaded = slots(...start, ...Array.from({ length: capacity - n }, () => PLACEHOLDER));
        const doubled = Array.from(
          { length: Math.max(1, 2 * n) },
          (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 1} 80`,
        );
        const commands = planBackend('default_web_80', loaded, eps(doubled));
        expect(
          commands.filter((c) => c.startsWith('add server')),
          `n=${n}`,
        ).to.deep.equal([]);
      }
    });
  });
});
