import { expect } from 'chai';
import { planLocations } from '../../../../drivers/nginx/locations.js';
import type { RouteRule } from '../../../../operator/model/types.js';
import { exact, fixed, header, prefix, query, rule } from './fixtures.js';

const when = { headers: [header('version', 'two')] };

/** `= /foo → r1` style summary of a plan: location, then the serving rule's number or 404. */
function summary(rules: readonly RouteRule[]): string[] {
  return planLocations(rules).map(
    (location) =>
      `${location.exact ? '= ' : ''}${location.path} → ${location.candidates.map((c) => `r${c.source.rule}`).join(',') || '404'}`,
  );
}

describe('nginx locations', () => {
  const cases: { name: string; rules: RouteRule[]; expected: string[] }[] = [
    {
      name: 'maps a prefix to an exact and a slash-terminated location, so /foobar stays out',
      rules: [rule('web', 0, prefix('/foo'), fixed(200))],
      expected: ['/ → 404', '= /foo → r0', '/foo/ → r0'],
    },
    {
      name: 'maps the root prefix to location / alone',
      rules: [rule('web', 0, prefix('/'), fixed(200))],
      expected: ['/ → r0'],
    },
    {
      name: 'serves an exact path from the first rule covering it, even a shorter prefix listed first',
      rules: [rule('web', 0, prefix('/foo'), fixed(200)), rule('web', 1, exact('/foo/bar'), fixed(201))],
      expected: ['/ → 404', '= /foo → r0', '/foo/ → r0', '= /foo/bar → r0'],
    },
    {
      name: 'lets an exact rule listed first win its path and the prefix keep the rest',
      rules: [rule('web', 0, exact('/foo'), fixed(200)), rule('web', 1, prefix('/foo'), fixed(201))],
      expected: ['/ → 404', '= /foo → r0', '/foo/ → r1'],
    },
    {
      name: 'sends a longer prefix location to the earlier shorter prefix that covers it',
      rules: [
        rule('web', 0, prefix('/a'), fixed(200)),
        rule('web', 1, prefix('/a/b'), fixed(201)),
        rule('web', 2, prefix('/'), fixed(202)),
      ],
      expected: ['/ → r2', '= /a → r0', '/a/ → r0', '= /a/b → r0', '/a/b/ → r0'],
    },
    {
      name: 'falls back to the root prefix for a location no earlier rule covers',
      rules: [rule('web', 0, prefix('/a/b'), fixed(200)), rule('web', 1, prefix('/'), fixed(201))],
      expected: ['/ → r1', '= /a/b → r0', '/a/b/ → r0'],
    },
    {
      name: 'gives /foo its own exact location when only /foo/ is routed, so nginx does not 301 it',
      rules: [rule('web', 0, exact('/foo/'), fixed(200))],
      expected: ['/ → 404', '= /foo → 404', '= /foo/ → r0'],
    },
    {
      name: 'declares a location once when several rules want it',
      rules: [
        rule('web', 0, prefix('/x'), fixed(200)),
        rule('web', 1, prefix('/x'), fixed(201)),
        rule('web', 2, exact('/x'), fixed(202)),
      ],
      expected: ['/ → 404', '= /x → r0', '/x/ → r0'],
    },
    {
      name: 'lets a request fall through a conditional rule to a shorter prefix',
      rules: [
        rule('web', 0, { path: prefix('/v2'), ...when }, fixed(200)),
        rule('web', 1, prefix('/'), fixed(201)),
      ],
      expected: ['/ → r1', '= /v2 → r0,r1', '/v2/ → r0,r1'],
    },
    {
      name: 'lists conditional rules in precedence order and stops at the first unconditional one',
      rules: [
        rule('web', 0, { path: exact('/a'), ...when }, fixed(200)),
        rule('web', 1, { path: prefix('/'), method: 'POST' }, fixed(201)),
        rule('web', 2, prefix('/a'), fixed(202)),
        rule('web', 3, prefix('/'), fixed(203)),
      ],
      expected: ['/ → r1,r3', '= /a → r0,r1,r2', '/a/ → r1,r2'],
    },
    {
      name: 'answers 404 after the conditional rules when no unconditional rule covers the location',
      rules: [rule('web', 0, { path: prefix('/q'), queryParams: [query('a', 'b')] }, fixed(200))],
      expected: ['/ → 404', '= /q → r0', '/q/ → r0'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(summary(c.rules)).to.deep.equal(c.expected));

  it('refuses a prefix that nginx would read as a location modifier', () => {
    expect(() => planLocations([rule('web', 0, prefix('~ regex'), fixed(200))])).to.throw(
      /must start with \//,
    );
  });
});
