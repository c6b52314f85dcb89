import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { haproxyBinary } from '../../../../drivers/haproxy/binary.js';
import { haproxyDriver } from '../../../../drivers/haproxy/index.js';
import { haquote, logFormatText, sampleArg } from '../../../../drivers/haproxy/quote.js';
import { answerOnce, check, directives, removeDir, tempRuntimeDir } from './checker.js';
import {
  changes,
  equals,
  exact,
  fixed,
  forwardWith,
  gateway,
  port,
  prefix,
  redirect,
  regex,
  rule,
  target,
  vhost,
} from './fixtures.js';

/** Values that would change the meaning of a configuration line if written raw. */
const HOSTILE = [
  'a"b',
  "a'b",
  'a b',
  'a;b',
  'a{b}',
  '}',
  'a#b',
  'a$b',
  '${HOME}',
  '"$HOME"',
  'a\\b',
  '\\',
  'a\\"b',
  'tab\there',
  '-i',
  '||',
  'é€',
  '\x01\x7f',
];

describe('haproxy driver: haquote', () => {
  const cases: [string, string][] = [
    ['/plain', '"/plain"'],
    ['a"b', '"a\\"b"'],
    ["a'b", '"a\'b"'],
    ['a b#c', '"a b#c"'],
    ['a$b', '"a\\$b"'],
    ['a\\b', '"a\\\\b"'],
    ['tab\there', '"tab\\x09here"'],
    ['a\x01b', '"a\\x01b"'],
  ];
  for (const [value, quoted] of cases) {
    it(`writes ${JSON.stringify(value)} as ${quoted}`, () => expect(haquote(value)).to.equal(quoted));
  }

  for (const [value, reason] of [
    ['a\nb', /line feed/],
    ['a\rb', /carriage return/],
    ['a\0b', /NUL/],
    ['', /empty word/],
  ] as const) {
    it(`refuses ${JSON.stringify(value)}`, () => expect(() => haquote(value)).to.throw(reason));
  }

  for (const [value, quoted] of [
    ['x-version', '"x-version"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    [`a'$#,)`, `"a'$#,)"`],
  ] as const) {
    it(`writes ${JSON.stringify(value)} as the sample argument ${quoted}`, () =>
      expect(sampleArg(value)).to.equal(quoted));
  }

  it('doubles % in log-format text and leaves the rest alone', () => {
    expect(logFormatText(`50% %[path] "$x" \\ `)).to.equal(`50%% %%[path] "$x" \\ `);
  });

  it('refuses line breaks and NUL at the second level too', () => {
    expect(() => sampleArg('a\nb')).to.throw('cannot hold NUL, CR or LF');
    expect(() => logFormatText('a\0b')).to.throw('cannot hold NUL, CR or LF');
  });

  describe('with the real checker', () => {
    let dir: string;
    before(async () => (dir = await tempRuntimeDir()));
    after(() => removeDir(dir));

    // `string <str>` must be the last word of `http-request return`: a value that split into
    // two words would leave an extra one, which haproxy -c rejects.
    async function checkAsLastWord(words: readonly string[]): Promise<{ exitCode?: number; all?: string }> {
      const lines = words.map(
        (word) => `    http-request return status 200 content-type text/plain string ${word}`,
      );
      const file = path.join(dir, 'words.cfg');
      const config = [
        'defaults',
        '    mode http',
        '    timeout client 1s',
        '    timeout server 1s',
        '    timeout connect 1s',
        'frontend words',
        '    bind "unix@words.sock"',
        ...lines,
        '',
      ].join('\n');
      await writeFile(file, config);
      return execa(haproxyBinary(), ['-c', '-f', file], { reject: false, all: true });
    }

    it('notices a value written raw that splits into two words (control)', async () => {
      expect((await checkAsLastWord(['"a" b'])).exitCode).to.equal(1);
    });

    it('makes every hostile value exactly one word', async () => {
      const result = await checkAsLastWord(HOSTILE.map(haquote));
      expect(result.all).to.not.contain('ALERT');
      expect(result.exitCode).to.equal(0);
    });

    it('renders hostile hostnames, paths, headers and values into a valid configuration with no extra directive', async () => {
      const model = (paths: string[], hosts: string[], words: string[]) =>
        gateway([
          port(
            8080,
            ...hosts.map((host, h) =>
              vhost(
                host,
                ...paths.map((value, i) =>
                  rule(`r${h}`, i, i % 2 === 0 ? exact(value) : prefix(value), fixed(500)),
                ),
                ...words.map((word, i) => {
                  const headers = changes(
                    [{ name: word, value: word }],
                    [{ name: `${word}+`, value: word }],
                    [word],
                  );
                  // A regular expression that matches the hostile word literally, as a user would write it.
                  const literal = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
                  const on = {
                    path: prefix(`/w${i}`),
                    headers: [equals(word, word)],
                    queryParams: [regex(word, literal)],
                    method: 'GET' as const,
                  };
                  const moved = { statusCode: 302, path: { type: 'ReplaceFullPath', value: word } } as const;
                  return i % 2 === 0
                    ? rule(`w${h}`, i, on, forwardWith({ request: headers, response: headers }))
                    : rule(`w${h}`, i, on, redirect(moved, headers));
                }),
              ),
            ),
          ),
        ]);
      const hostilePaths = HOSTILE.map((value) => `/${value}`);
      const hostileHosts = ['evil"host', 'a b.example.com', 'x#y', '$HOME', '*.{}'];
      const config = haproxyDriver.render(
        model(hostilePaths, hostileHosts, [...HOSTILE, '%[path]', '%%']),
        target(dir),
      );
      const benign = haproxyDriver.render(
        model(
          HOSTILE.map((_, i) => `/p${i}`),
          hostileHosts.map((_, i) => `h${i}.example.com`),
          [...HOSTILE, '%[path]', '%%'].map((_, i) => `word${i}`),
        ),
        target(dir),
      );
      expect(await check(config, dir)).to.deep.equal({ ok: true });
      const shape = (text: string) => directives(text).map((line) => line.trim().split(' ')[0]);
      expect(shape(config.files[0]!.content)).to.deep.equal(shape(benign.files[0]!.content));
    });

    it('gives back every hostile value exactly, as a sample argument and as log-format text', async () => {
      const values = [...HOSTILE, '%[path]', '%%', 'a,b)c(', '"'];
      // Record separators keep the values apart in the answer; none of the values holds one.
      const body = values.map((value, i) => `${logFormatText(value)}\x1e%[var(txn.v${i})]`).join('\x1e');
      const config = [
        'defaults',
        '    mode http',
        '    timeout client 5s',
        '    timeout server 5s',
        '    timeout connect 5s',
        'frontend words',
        `    bind ${haquote(`unix@${path.join(dir, 'words.sock')}`)}`,
        ...values.map(
          (value, i) => `    http-request set-var(txn.v${i}) ${haquote(`str(${sampleArg(value)})`)}`,
        ),
        `    http-request return status 200 content-type text/plain lf-string ${haquote(body)}`,
        '',
      ].join('\n');
      // HAProxy writes the control characters (but tab) of a sample's value as %XX in log-format output.
      const printed = (value: string) =>
        Array.from(value, (char) => {
          const code = char.charCodeAt(0);
          const control = (code < 0x20 && code !== 0x09) || code === 0x7f;
          return control ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : char;
        }).join('');
      expect((await answerOnce(dir, config)).split('\x1e')).to.deep.equal(
        values.flatMap((value) => [value, printed(value)]),
      );
    });

    it('refuses to render a path holding a line break', () => {
      const model = gateway([
        port(8080, vhost('*', rule('r', 0, exact('/a\n    http-request deny'), fixed(500)))),
      ]);
      expect(() => haproxyDriver.render(model, target(dir))).to.throw('render haproxy.cfg');
    });
  });
});
