import path from 'node:path';
import { expect } from 'chai';
import { haproxyDriver } from '../../../../drivers/haproxy/index.js';
import { readCheckerOutput, ruleIdsAtLines } from '../../../../drivers/haproxy/validate.js';
import { check, removeDir, tempRuntimeDir } from './checker.js';
import {
  endpoint,
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

describe('haproxy driver: validate', () => {
  let dir: string;
  before(async () => (dir = await tempRuntimeDir()));
  after(() => removeDir(dir));

  const good = upstream('good', 80, [endpoint('127.0.0.1', 8080)]);

  it('maps a value only the checker rejects back to the rule that holds it', async () => {
    // 799 is no HTTP status: the model does not forbid it, `haproxy -c` does.
    const model = gateway(
      [
        port(
          8080,
          vhost('*', rule('ok', 0, exact('/a'), forward(to(good))), rule('bad', 0, prefix('/b'), fixed(799))),
        ),
      ],
      [good],
    );
    const result = await check(haproxyDriver.render(model, target(dir)), dir);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.ruleIds).to.deep.equal(['default_bad_r0_m0']);
    expect(result.message).to.contain("Unexpected status code '799'");
    expect(result.message).to.contain(`[${path.join(dir, 'haproxy.cfg.next')}:`);
    // No pid: the same error gives the same message, so route conditions do not flap.
    expect(result.message).to.match(/^\[ALERT\] config : /);
  });

  it('blames no rule for an error in a backend', async () => {
    const bad = upstream('bad', 80, [endpoint('127.0.0.1', 70000)]);
    const model = gateway([port(8080, vhost('*', rule('r', 0, prefix('/'), forward(to(bad)))))], [bad]);
    const result = await check(haproxyDriver.render(model, target(dir)), dir);
    expect(result).to.include({ ok: false });
    expect(result).to.have.property('ruleIds').that.deep.equals([]);
    expect(result).to.have.property('message').that.contains("invalid port '70000'");
  });

  describe('readCheckerOutput', () => {
    const file = '/run/gw/haproxy.cfg.next';
    const output = [
      '[NOTICE]   (4491) : haproxy version is 2.6.12-1+deb12u4',
      `[ALERT]    (4491) : config : parsing [${file}:11]: forbidden first char in environment variable name at position 7:`,
      '  acl x "$"',
      '         ^',
      `[ALERT]    (4491) : config : [${file}:42] : 'server b/ep0' : invalid port '70000'`,
      `[ALERT]    (4491) : config : parsing [/elsewhere.cfg:5] : something`,
      `[ALERT]    (4491) : config : Error(s) found in configuration file : ${file}`,
      '[ALERT]    (4491) : config : Fatal errors found in configuration.',
    ].join('\n');

    it('keeps the alerts and their continuation lines, without pids or the closing summary', () => {
      expect(readCheckerOutput(output, file).message).to.equal(
        [
          `[ALERT] config : parsing [${file}:11]: forbidden first char in environment variable name at position 7:`,
          '  acl x "$"',
          '         ^',
          `[ALERT] config : [${file}:42] : 'server b/ep0' : invalid port '70000'`,
          `[ALERT] config : parsing [/elsewhere.cfg:5] : something`,
        ].join('\n'),
      );
    });

    it('reads the line numbers of the checked file only', () => {
      expect(readCheckerOutput(output, file).lines).to.deep.equal([11, 42]);
    });
  });

  describe('ruleIdsAtLines', () => {
    const content = [
      'frontend http-80', //                                              1
      '    http-request set-var(txn.host) req.fhdr(host)', //             2
      '    # route default/a rule 0 match 0 [default_a_r0_m0]', //        3
      '    acl path_0 path -m str -- "/a"', //                             4
      '    http-request set-var(txn.rule) str(default_a_r0_m0)', //        5
      '', //                                                               6
      '    # No virtual host, or no rule of it, matches.', //             7
      '    http-request return status 404', //                             8
      '    # route default/b rule 1 match 2 [default_b_r1_m2]', //        9
      '    http-request return status 799', //                            10
      'backend x', //                                                     11
    ].join('\n');

    it('finds the rule whose block holds each line', () => {
      expect(ruleIdsAtLines(content, [4, 10, 5])).to.deep.equal(['default_a_r0_m0', 'default_b_r1_m2']);
    });

    it('finds no rule for lines outside rule blocks', () => {
      expect(ruleIdsAtLines(content, [1, 2, 6, 8, 11, 99])).to.deep.equal([]);
    });
  });
});
