import { expect } from 'chai';
import { errorLine, ruleIdAtLine } from '../../../../drivers/nginx/validate.js';
import { renderAndCheck } from './checker.js';
import {
  changes,
  exact,
  fixed,
  forward,
  forwardWith,
  gatewayModel,
  header,
  headerRegex,
  host,
  port,
  prefix,
  rule,
  to,
  upstream,
} from './fixtures.js';

describe('nginx validate', () => {
  it('reports a value only nginx rejects, mapped back to the rule that holds it', async () => {
    const web = upstream('web', 80, [['127.0.0.1', 9000]]);
    const model = gatewayModel(
      [
        port(18080, [
          host('a.example.com', [
            rule('good', 0, prefix('/ok'), forward(to(web.name))),
            rule('bad', 3, exact('/broken'), fixed(1000)),
            rule('good', 1, prefix('/'), fixed(200)),
          ]),
        ]),
      ],
      [web],
    );
    const { result } = await renderAndCheck(model);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.message).to.match(/^\[emerg\] invalid return code "1000" in .*nginx\.conf\.next:\d+$/);
    expect(result.ruleIds).to.deep.equal(['default_bad_r3_m0']);
  });

  it('maps a regex PCRE refuses back to its rule, even when the regex quotes " in "', async () => {
    const model = gatewayModel([
      port(18080, [
        host('a.example.com', [
          rule('good', 0, { path: prefix('/'), headers: [headerRegex('x', '^ok$')] }, fixed(200)),
          rule('bad', 1, { path: prefix('/'), headers: [headerRegex('x', 'a in (b')] }, fixed(200)),
          rule('good', 2, prefix('/'), fixed(204)),
        ]),
      ]),
    ]);
    const { result } = await renderAndCheck(model);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.message).to.match(/pcre2_compile\(\) failed: missing closing parenthesis in "a in \(b"/);
    expect(result.ruleIds).to.deep.equal(['default_bad_r1_m0']);
  });

  it('makes nginx -t refuse, on the rule, a header name nginx has no variable for', async () => {
    const web = upstream('web', 80, [['127.0.0.1', 9000]]);
    const uses = [
      rule('match', 0, { path: prefix('/m'), headers: [header('x.y', 'v')] }, fixed(200)),
      rule('add', 0, prefix('/a'), forwardWith({ request: changes({ add: { 'X.Y': 'v' } }) }, to(web.name))),
    ];
    for (const use of uses) {
      const hosts = [host('a.example.com', [use, rule('ok', 0, prefix('/'), fixed(204))])];
      const { result } = await renderAndCheck(gatewayModel([port(18080, hosts)], [web]));
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.message).to.match(
        /missing closing parenthesis in "\(\?#nginx has no variable for the header x\.y\)\(" in /i,
      );
      expect(result.ruleIds).to.deep.equal([use.id]);
    }
  });

  it('reads the line of an error from its end, whatever the message quotes', () => {
    const file = '/run/x/nginx.conf.next';
    expect(errorLine(`[emerg] bad "a in /run/x/nginx.conf.next:3" in ${file}:12`, file)).to.equal(12);
    expect(errorLine('[emerg] no location at all', file)).to.equal(undefined);
    expect(errorLine(`[emerg] x in ${file}:12 extra`, file)).to.equal(undefined);
  });

  describe('line mapping', () => {
    const conf = [
      'http {', //                                                    1
      '    # route default/split rule 0 match 0 [default_split_r0_m0]', // 2
      '    split_clients "$request_id" $gp_backend_0 {', //        3
      '        50.00% "a";', //                                    4
      '    }', //                                                  5
      '    server {', //                                           6
      '        listen "127.0.0.1:80";', //                         7
      '        # route default/web rule 1 match 2 [default_web_r1_m2]', // 8
      '        location = "/}{" {', //                             9
      '            if ($v = "!500") {', //                         10
      '                return 500 $gp_empty;', //                  11
      '            }', //                                          12
      '            return 7;', //                                  13
      '        }', //                                              14
      '        location "/" {', //                                 15
      '    }', //                                                  16
      '}', //                                                     17
    ].join('\n');
    const cases: [number, string | undefined][] = [
      [1, undefined],
      [2, 'default_split_r0_m0'],
      [4, 'default_split_r0_m0'],
      [5, 'default_split_r0_m0'],
      [7, undefined],
      [9, 'default_web_r1_m2'],
      [11, 'default_web_r1_m2'],
      [13, 'default_web_r1_m2'],
      [14, 'default_web_r1_m2'],
      [15, undefined],
    ];
    for (const [line, id] of cases) {
      it(`maps line ${line} to ${id ?? 'no rule'}, whatever braces the quoted path holds`, () =>
        expect(ruleIdAtLine(conf, line)).to.equal(id));
    }
  });
});
