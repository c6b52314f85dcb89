import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { candidatePath, type RenderedConfig } from '../../../../drivers/driver.js';
import { haproxyBinary } from '../../../../drivers/haproxy/binary.js';
import { haproxyDriver } from '../../../../drivers/haproxy/index.js';
import { ruleIdsAtLines } from '../../../../drivers/haproxy/validate.js';
import { check, removeDir, tempRuntimeDir } from './checker.js';
import * as f from './fixtures.js';
import { makeCertificate } from './live.js';
import { scenarioModel, type Scenario } from './scenario.js';

/** The integration test's Gateway, every feature at once, checked without running it. */
describe('haproxy driver: the full scenario', function () {
  this.timeout(30_000);
  let dir: string;
  let scenario: Scenario;
  let config: RenderedConfig;

  before(async () => {
    dir = await tempRuntimeDir();
    const [secure, wild, fallback] = await Promise.all(
      ['secure', 'wild', 'fallback'].map((cn) => makeCertificate(cn, `${cn}.example.com`)),
    );
    const upstream = (name: string) => f.upstream(name, 80, [f.endpoint('127.0.0.1', 8080)]);
    scenario = {
      httpPorts: [80, 8080, 18080],
      tlsPort: 18443,
      upstreams: { a: upstream('a'), b: upstream('b'), c: upstream('c'), empty: f.upstream('empty', 80, []) },
      certificates: {
        secure: f.certificate(secure!),
        wild: f.certificate(wild!),
        fallback: f.certificate(fallback!),
      },
    };
    config = haproxyDriver.render(scenarioModel(scenario, true), f.target(dir));
  });

  after(() => removeDir(dir));

  it('renders the same files twice', () => {
    expect(haproxyDriver.render(scenarioModel(scenario, true), f.target(dir))).to.deep.equal(config);
  });

  it('lists the certificates beside the main file', () => {
    expect(config.files.map((file) => file.path.split('/')[0])).to.deep.equal([
      'haproxy.cfg',
      'certs',
      'certs',
      'certs',
    ]);
  });

  it('gives a configuration, certificates included, that haproxy -c accepts without a warning', async () => {
    expect(await check(config, dir)).to.deep.equal({ ok: true });
    const result = await execa(haproxyBinary(), ['-c', '-f', path.join(dir, candidatePath(config.main))], {
      all: true,
    });
    expect(result.all).to.not.match(/WARNING|ALERT/);
  });

  it('keeps every line that names a rule inside that rule’s block, for validate to map errors back', () => {
    const lines = config.files[0]!.content.split('\n');
    let named = 0;
    lines.forEach((line, index) => {
      const id = /(?:str\(|-m str )([a-z0-9_.-]+_r\d+_m\d+)/.exec(line)?.[1];
      if (id === undefined) return;
      named++;
      expect(ruleIdsAtLines(config.files[0]!.content, [index + 1]), line).to.deep.equal([id]);
    });
    expect(named).to.be.greaterThan(50);
  });
});
