/**
 * The fragment cache (render.ts, fragments.ts) must never change a byte: random sequences of
 * models, each a few edits away from the last, rendered with the cache warm and without it.
 */
import { expect } from 'chai';
import {
  clearNginxCache,
  nginxCacheSize,
  renderNginx,
  renderNginxUncached,
} from '../../../../drivers/nginx/render.js';
import type { RenderTarget } from '../../../../drivers/driver.js';
import type {
  Certificate,
  GatewayModel,
  HttpListenerPort,
  HttpMethod,
  RouteRule,
  RuleAction,
  Upstream,
  ValueMatch,
  VirtualHost,
  WeightedBackend,
} from '../../../../operator/model/types.js';
import {
  certificate,
  changes,
  exact,
  fixed,
  forwardWith,
  gatewayModel,
  header,
  headerRegex,
  host,
  httpsPort,
  invalid,
  port,
  prefix,
  query,
  redirect,
  rule,
  to,
  upstream,
} from './fixtures.js';

/** mulberry32: small, seeded, good enough to pick test cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Pick = <T>(items: readonly T[]) => T;

const SERVICES = ['a', 'b', 'c', 'd'];
const PATHS = ['/', '/a', '/a/b', '/b', '/api', '/api/v1', '/x$y', '/q"uote'];
const VALUES = ['v', 'v$1', 'a"b', 'x\\y', '', 'same'];
const HEADER_NAMES = ['x-a', 'X-B', 'x_c', 'bad name'];
const QUERY_NAMES = ['q', 'p.q', 'r-s'];
const METHODS: readonly HttpMethod[] = ['GET', 'POST'];
const CERTIFICATES: readonly Certificate[] = ['one', 'two', 'three'].map((pem) => certificate(pem));

function generator(next: () => number) {
  const pick: Pick = (items) => items[Math.floor(next() * items.length)] as (typeof items)[number];
  const chance = (p: number) => next() < p;
  const some = <T>(make: () => T, max: number): T[] =>
    Array.from({ length: Math.floor(next() * (max + 1)) }, make);

  const values = (names: readonly string[]): ValueMatch[] => {
    const chosen = [...new Set(some(() => pick(names), 2))].sort();
    return chosen.map((name) =>
      chance(0.3) ? headerRegex(name, pick(['a+', '^v', '.*'])) : header(name, pick(VALUES) || 'v'),
    );
  };
  const backends = (): WeightedBackend[] => {
    const list = some(
      () =>
        chance(0.15) ? invalid(pick([0, 1, 3])) : to(`default_${pick(SERVICES)}_80`, pick([0, 1, 2, 7])),
      3,
    );
    return list.length > 0 ? list : [to(`default_${pick(SERVICES)}_80`)];
  };
  const modifier = () =>
    changes({
      ...(chance(0.4) ? { set: { [pick(HEADER_NAMES.slice(0, 3))]: pick(VALUES) } } : {}),
      ...(chance(0.3) ? { add: { [pick(['x-add', 'bad name'])]: pick(VALUES) } } : {}),
      ...(chance(0.3) ? { remove: ['x-remove'] } : {}),
    });
  const action = (path: string): RuleAction => {
    const kind = next();
    if (kind < 0.15) return fixed(pick([200, 404, 503]));
    if (kind < 0.4)
      return redirect(
        {
          ...(chance(0.5) ? { scheme: pick(['http', 'https'] as const) } : {}),
          ...(chance(0.3) ? { hostname: pick(['example.com', 'a$b.com']) } : {}),
          ...(chance(0.3) ? { port: pick([80, 443, 8080]) } : {}),
          ...(chance(0.6)
            ? {
                path: chance(0.5)
                  ? { type: 'ReplaceFullPath' as const, value: pick(PATHS) }
                  : { type: 'ReplacePrefixMatch' as const, prefix: path, value: pick(['/', '/new', '/n$w']) },
              }
            : {}),
        },
        modifier(),
      );
    return forwardWith({ request: modifier(), response: modifier() }, ...backends());
  };
  /** Rule `index` of route `route`: the same id always gets the content last generated for it. */
  const newRule = (route: string, index: number): RouteRule => {
    const path = pick(PATHS);
    const conditional = chance(0.5);
    return rule(
      route,
      index,
      {
        path: chance(0.3) ? exact(path) : prefix(path),
        ...(conditional && chance(0.5) ? { method: pick(METHODS) } : {}),
        headers: conditional ? values(HEADER_NAMES) : [],
        queryParams: conditional ? values(QUERY_NAMES).map((m) => query(m.name, m.value || 'v', m.type)) : [],
      },
      action(path),
    );
  };
  const newUpstream = (service: string): Upstream =>
    upstream(
      service,
      80,
      chance(0.2)
        ? []
        : some(() => [pick(['10.0.0.1', '10.0.0.2', 'fd00::1']), pick([80, 8080])] as const, 2).concat([
            ['10.0.0.9', 80],
          ]),
    );
  return { pick, chance, some, newRule, newUpstream };
}

/** Everything a model is made of, edited a little at each step. */
interface World {
  rules: Map<string, RouteRule>;
  hosts: { hostname: string; rules: string[]; https: boolean; certificates: Certificate[] }[];
  upstreams: Map<string, Upstream>;
}

function modelOf(world: World): GatewayModel {
  const vhost = (h: World['hosts'][number]): VirtualHost => {
    const rules = h.rules.map((id) => world.rules.get(id)).filter((r): r is RouteRule => r !== undefined);
    return host(h.hostname, rules, h.certificates);
  };
  const specificity = (name: string) => (name === '*' ? 2 : name.startsWith('*.') ? 1 : 0);
  const sorted = [...world.hosts].sort((a, b) => specificity(a.hostname) - specificity(b.hostname));
  const ports: HttpListenerPort[] = [
    port(8080, sorted.filter((h) => !h.https).map(vhost)),
    httpsPort(8443, sorted.filter((h) => h.https).map(vhost), CERTIFICATES[0] as Certificate),
  ].filter((p) => p.virtualHosts.length > 0 || p.port === 8080);
  return gatewayModel(ports, [...world.upstreams.values()], [...CERTIFICATES]);
}

function outcome(render: () => unknown): unknown {
  try {
    return render();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('nginx incremental rendering', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`renders the same bytes with and without the cache (seed ${seed})`, () => {
      clearNginxCache();
      const next = random(seed);
      const g = generator(next);
      const routes = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
      const world: World = { rules: new Map(), hosts: [], upstreams: new Map() };
      for (const service of SERVICES) {
        const u = g.newUpstream(service);
        world.upstreams.set(u.name, u);
      }
      const ruleIds: string[] = [];
      for (const route of routes)
        for (let index = 0; index < 3; index++) {
          const r = g.newRule(route, index);
          world.rules.set(r.id, r);
          ruleIds.push(r.id);
        }
      const hostnames = [
        'a.example.com',
        'b.example.com',
        'c.example.com',
        'd.example.com',
        '*.example.com',
        '*',
      ];
      const newHost = (hostname: string): World['hosts'][number] => {
        const https = g.chance(0.3);
        return {
          hostname,
          rules: [...new Set(g.some(() => g.pick(ruleIds), 5))],
          https,
          certificates: https && g.chance(0.7) ? [g.pick(CERTIFICATES)] : [],
        };
      };
      for (const hostname of hostnames) if (g.chance(0.7)) world.hosts.push(newHost(hostname));
      let target: RenderTarget = { bindAddress: '127.0.0.1', runtimeDir: '/run/gp' };

      for (let step = 0; step < 40; step++) {
        const model = modelOf(world);
        const cached = outcome(() => renderNginx(model, target));
        const reference = outcome(() => renderNginxUncached(model, target));
        expect(cached, `seed ${seed} step ${step}`).to.deep.equal(reference);
        // Twice: the second render takes everything from the cache.
        expect(
          outcome(() => renderNginx(model, target)),
          `seed ${seed} step ${step}, again`,
        ).to.deep.equal(reference);

        for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
          const what = next();
          if (what < 0.3) {
            const i = Math.floor(next() * ruleIds.length);
            const fresh = g.newRule(routes[Math.floor(i / 3)] as string, i % 3);
            world.rules.set(fresh.id, fresh);
          } else if (what < 0.5) {
            const u = g.newUpstream(g.pick(SERVICES));
            world.upstreams.set(u.name, u);
          } else if (what < 0.7 && world.hosts.length > 0) {
            const h = g.pick(world.hosts);
            h.rules = [...new Set(g.some(() => g.pick(ruleIds), 5))];
          } else if (what < 0.85) {
            const hostname = g.pick(hostnames);
            const at = world.hosts.findIndex((h) => h.hostname === hostname);
            if (at >= 0) world.hosts.splice(at, 1);
            else world.hosts.push(newHost(hostname));
          } else if (what < 0.9) {
            target = {
              bindAddress: g.pick(['127.0.0.1', '::1']),
              runtimeDir: g.pick(['/run/gp', '/run/other']),
            };
          } else if (what < 0.93 && world.hosts.length > 0) {
            // A value nginx cannot represent: both paths must refuse it.
            const r = world.rules.get(g.pick(world.hosts).rules[0] ?? '');
            if (r)
              world.rules.set(r.id, {
                ...r,
                match: { ...r.match, path: { type: 'Exact', value: '/nul\0' } },
              });
          } else if (world.hosts.length > 0) {
            const h = g.pick(world.hosts);
            h.https = !h.https;
            h.certificates = h.https ? [g.pick(CERTIFICATES)] : [];
          }
        }
      }
    });
  }

  it('keeps only the fragments of the last render', () => {
    clearNginxCache();
    const u = upstream('a', 80, [['10.0.0.1', 80]]);
    const hostsOf = (names: string[]) =>
      gatewayModel(
        [
          port(
            8080,
            // `/a`, not `/`: hosts forwarding every path would share one server (hostMap.ts).
            names.map((name) => host(name, [rule('r', 0, prefix('/a'), forwardWith({}, to(u.name)))])),
          ),
        ],
        [u],
      );
    const target = { bindAddress: '127.0.0.1', runtimeDir: '/run/gp' };
    for (let i = 0; i < 50; i++) renderNginx(hostsOf([`h${i}.example.com`, 'same.example.com']), target);
    expect(nginxCacheSize()).to.deep.equal({ gateways: 1, servers: 2, upstreams: 1 });
    const model = hostsOf(['h0.example.com', 'h1.example.com']);
    expect(renderNginx(model, target)).to.deep.equal(renderNginxUncached(model, target));
    expect(nginxCacheSize()).to.deep.equal({ gateways: 1, servers: 2, upstreams: 1 });
    for (let i = 0; i < 40; i++)
      renderNginx({ ...model, gateway: { namespace: 'default', name: `gw${i}` } }, target);
    expect(nginxCacheSize().gateways).to.equal(16);
  });

  it('renders hosts that share one server (hostMap.ts) as a full render does, as they come and go', () => {
    clearNginxCache();
    const a = upstream('a', 80, [['10.0.0.1', 80]]);
    const b = upstream('b', 80, [['10.0.0.2', 80]]);
    const empty = upstream('empty', 80, []);
    const plain = (name: string, to_: string) =>
      host(name, [rule(name, 0, prefix('/'), forwardWith({}, to(to_)))]);
    const target = { bindAddress: '127.0.0.1', runtimeDir: '/run/gp' };
    const many = Array.from({ length: 40 }, (_, i) => plain(`h${i}.example.com`, i % 3 ? a.name : b.name));
    const twoPorts = gatewayModel(
      [port(8080, many.slice(0, 20)), port(8081, [...many.slice(20), plain('none.example.com', empty.name)])],
      [a, b, empty],
    );
    expect(renderNginx(twoPorts, target)).to.deep.equal(renderNginxUncached(twoPorts, target));
    expect(renderNginx(twoPorts, target).files[0]!.content).to.include('$gp_host_1');
    const models = [
      [plain('one.example.com', a.name), plain('two.example.com', b.name)],
      [
        plain('one.example.com', a.name),
        plain('two.example.com', a.name),
        plain('three.example.com', b.name),
      ],
      [plain('one.example.com', a.name)],
      [plain('one.example.com', b.name), plain('two.example.com', b.name)],
    ].map((hosts) => gatewayModel([port(8080, hosts)], [a, b]));
    for (const model of models) {
      const config = renderNginx(model, target);
      expect(config).to.deep.equal(renderNginxUncached(model, target));
      const main = config.files[0]!.content;
      const names = model.ports[0]!.virtualHosts.length;
      expect(main.includes('$gp_host_0'), `${names} plain hosts`).to.equal(names >= 2);
    }
  });
});
