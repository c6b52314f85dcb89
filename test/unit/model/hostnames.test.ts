import { expect } from 'chai';
import { compareSpecificity, covers, effectiveHostnames } from '../../../operator/model/hostnames.js';

describe('hostnames', () => {
  const coverage: [string, string, boolean][] = [
    ['*', 'a.example.com', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '*.b.example.com', true],
    ['*.b.example.com', '*.example.com', false],
    ['a.example.com', '*.example.com', false],
    ['a.example.com', 'a.example.com', true],
    ['*.example.com', 'aexample.com', false],
  ];
  for (const [general, specific, expected] of coverage) {
    it(`${expected ? 'lets' : 'does not let'} ${general} cover ${specific}`, () => {
      expect(covers(general, specific)).to.equal(expected);
    });
  }

  const intersections: [string | undefined, string[], string[]][] = [
    [undefined, [], ['*']],
    ['very.specific.com', [], ['very.specific.com']],
    ['very.specific.com', ['non.matching.com', '*.specific.com'], ['very.specific.com']],
    [
      '*.wildcard.io',
      ['wildcard.io', 'foo.wildcard.io', 'foo.bar.wildcard.io'],
      ['foo.wildcard.io', 'foo.bar.wildcard.io'],
    ],
    ['*.anotherwildcard.io', ['*.anotherwildcard.io'], ['*.anotherwildcard.io']],
    ['*.example.com', ['*.a.example.com'], ['*.a.example.com']],
    ['*.a.example.com', ['*.example.com'], ['*.a.example.com']],
    ['foo.com', ['bar.com'], []],
  ];
  for (const [listener, route, expected] of intersections) {
    it(`narrows route hostnames [${route.join(', ')}] on listener ${listener ?? '(any)'} to [${expected.join(', ')}]`, () => {
      expect(effectiveHostnames(listener, route)).to.deep.equal(expected);
    });
  }

  it('sorts exact hostnames first, then wildcards by length, then the catch-all', () => {
    expect(
      ['*', '*.example.com', 'b.com', '*.a.example.com', 'a.com'].sort(compareSpecificity),
    ).to.deep.equal(['a.com', 'b.com', '*.a.example.com', '*.example.com', '*']);
  });
});
