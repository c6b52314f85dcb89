/**
 * The model digest behind every configuration hash (drivers/hash.ts): equal models give equal
 * digests however their objects came to be, and a change to one host gives another digest.
 * Hosts' digests are carried from one port to the next of the same number (portSeries.ts), so
 * sequences of ports that share most host objects are compared with copies that share none.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { modelDigest } from '../../../drivers/hash.js';
import type { GatewayModel, VirtualHost } from '../../../operator/model/types.js';
import { forward, gateway, port, prefix, rule, to, upstream, vhost } from './haproxy/fixtures.js';

const web = upstream('web', 80, []);
const api = upstream('api', 80, []);
const host = (name: string, target: typeof web) =>
  vhost(`${name}.example`, rule(name, 0, prefix('/'), forward(to(target))));

/** Each step sets one of eight names to a host to web, to api, or removes it (shape 2). */
const step = fc.record({ name: fc.nat(7), shape: fc.nat(2) });

function models(steps: readonly { name: number; shape: number }[], number: number): GatewayModel[] {
  const hosts = new Map<string, VirtualHost>();
  for (const name of ['h1', 'h3', 'h5']) hosts.set(name, host(name, web));
  const all = [gateway([port(number, ...hosts.values())], [web, api])];
  for (const { name, shape } of steps) {
    const key = `h${name}`;
    if (shape === 2) hosts.delete(key);
    else hosts.set(key, host(key, shape === 0 ? web : api));
    const sorted = [...hosts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, h]) => h);
    all.push(gateway([port(number, ...sorted)], [web, api]));
  }
  return all;
}

describe('drivers: model digest', () => {
  it('is the same for equal models, whether their hosts are shared with the last port or copies (fixed seed)', () => {
    let number = 40000;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
        const all = models(steps, (number += 1));
        // Originals first, in order, so that each is derived from the one before.
        const digests = all.map(modelDigest);
        const copies = all.map((model) => modelDigest(structuredClone(model)));
        expect(copies).to.deep.equal(digests);
        for (const [i, model] of all.entries()) {
          const before = all[i - 1];
          if (before === undefined) continue;
          const same = JSON.stringify(before) === JSON.stringify(model);
          expect(digests[i] === digests[i - 1]).to.equal(same);
        }
      }),
      { seed: 20261202, numRuns: 200 },
    );
  });

  it('changes with any host, and with the order of the hosts', () => {
    const a = host('a', web);
    const b = host('b', web);
    const base = modelDigest(gateway([port(7001, a, b)], [web]));
    expect(modelDigest(gateway([port(7001, a, host('b', api))], [web]))).to.not.equal(base);
    expect(modelDigest(gateway([port(7001, b, a)], [web]))).to.not.equal(base);
    expect(modelDigest(gateway([port(7001, a)], [web]))).to.not.equal(base);
    expect(modelDigest(gateway([port(7001, a, b)], [web]))).to.equal(base);
  });
});
