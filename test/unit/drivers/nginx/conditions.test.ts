import { expect } from 'chai';
import { headerVariable, regexLiteral } from '../../../../drivers/nginx/conditions.js';
import { nginxDriver } from '../../../../drivers/nginx/index.js';
import type { GatewayModel } from '../../../../operator/model/types.js';
import { renderAndCheck } from './checker.js';
import {
  exact,
  fixed,
  forward,
  gatewayModel,
  header,
  headerRegex,
  host,
  port,
  prefix,
  query,
  rule,
  to,
  upstream,
} from './fixtures.js';

const target = { bindAddress: '127.0.41.1', runtimeDir: '/srv/gateplane/default/gw' };
const render = (model: GatewayModel) => nginxDriver.render(model, target).files[0]!.content;
const web = upstream('web', 80, [['10.0.0.1', 8080]]);

function matchingModel(): GatewayModel {
  return gatewayModel(
    [
      port(18080, [
        host('a.example.com', [
          rule('m', 0, { path: prefix('/v2'), headers: [header('version', 'two')] }, forward(to(web.name))),
          rule(
            'm',
            1,
            {
              path: prefix('/'),
              method: 'POST',
              headers: [headerRegex('color', 're+d')],
              queryParams: [query('ani-mal', 'whale')],
            },
            fixed(201),
          ),
          rule('m', 2, prefix('/'), fixed(202)),
        ]),
        host('b.example.com', [rule('m', 1, { path: prefix('/'), method: 'POST' }, fixed(201))]),
      ]),
    ],
    [web],
  );
}

describe('nginx request conditions', () => {
  it('turns each condition into a case-sensitive regex map yielding 1 or 0, under its rule comment', () => {
    const conf = render(matchingModel());
    expect(conf).to.include(
      '# route default/m rule 0 match 0 [default_m_r0_m0]\n    map "${http_version}" $gp_cond_',
    );
    expect(conf).to.match(
      /map "\$\{http_version\}" \$gp_cond_\d+ \{\n\s+"~\^two\\\\z" "1";\n\s+default "0";/,
    );
    expect(conf).to.match(/map "\$\{request_method\}" \$gp_cond_\d+ \{\n\s+"~\^POST\\\\z" "1";/);
    expect(conf).to.match(/map "\$\{http_color\}" \$gp_cond_\d+ \{\n\s+"~re\+d" "1";/);
  });

  it('reads a query parameter from the raw query string: first occurrence, case-sensitive name', () => {
    expect(render(matchingModel())).to.include(
      'map "${args}" $gp_arg_0 {\n        "~^(?:(?!ani-mal=)[^&]*&)*ani-mal=([^&]*)" "$1";\n        default "";',
    );
  });

  it('dispatches among conditional candidates in precedence order, then falls back inline', () => {
    const conf = render(matchingModel());
    expect(conf).to.include(
      '# dispatch: default_m_r0_m0, default_m_r1_m0\n    map "${gp_cond_3}${gp_cond_0}${gp_cond_1}${gp_cond_2}" $gp_pick_1 {\n' +
        '        "~^1" "@default_m_r0_m0";\n        "~^.111" "@default_m_r1_m0";\n        default "";',
    );
    expect(conf).to.include(
      '# route default/m rule 2 match 0 [default_m_r2_m0]\n        location "/v2/" {\n' +
        '            error_page 418 = $gp_pick_1;\n            if ($gp_pick_1) {\n                return 418;\n' +
        '            }\n            return 202 $gp_empty;\n        }',
    );
  });

  it('declares one named location per conditional rule in each server that uses it', () => {
    const conf = render(matchingModel());
    expect(conf.match(/location @default_m_r1_m0 \{/g)).to.have.length(2);
    expect(conf.match(/location @default_m_r0_m0 \{/g)).to.have.length(1);
    expect(conf).to.include(
      '# route default/m rule 0 match 0 [default_m_r0_m0]\n        location @default_m_r0_m0 {\n            proxy_pass http://default_web_80;',
    );
    // b.example.com has no unconditional rule: 404 when the condition does not hold (handed over
    // to the next configuration during a reload).
    expect(conf).to.match(
      /if \(\$gp_pick_\d+\) \{\n\s+return 418;\n\s+\}\n\s+if \(\$gp_no_handover\) \{\n\s+return 404 \$gp_empty;/,
    );
  });

  it('declares the maps of a rule once, however many hosts use it', () => {
    expect(render(matchingModel()).match(/map "\$\{request_method\}"/g)).to.have.length(1);
  });

  it('is accepted by nginx -t', async () => {
    expect((await renderAndCheck(matchingModel())).result).to.deep.equal({ ok: true });
  });

  it('escapes every regex metacharacter of an Exact value, so it matches only itself', () => {
    const hostile = 'a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o#p q\tr/s-t"u\'v;w';
    const re = new RegExp(`^${regexLiteral(hostile)}$`);
    expect(re.test(hostile)).to.equal(true);
    expect(re.test(hostile.replace('.', 'x'))).to.equal(false);
    expect(regexLiteral('plain-value_1/x=y')).to.equal('plain-value_1/x=y');
  });

  it('keeps hostile header values one map key each, as nginx -t confirms', async () => {
    const values = [
      '"; gateplane_injected; "',
      '${host}',
      'a}b{c',
      '#x',
      'back\\slash\\',
      "it's",
      ' spaced out ',
    ];
    const rules = values.map((value, i) =>
      rule('h', i, { path: exact(`/h${i}`), headers: [header('x', value)] }, fixed(200)),
    );
    const patterns = ['"; gateplane_injected; "', '\\$\\{host\\}', '#x \\\\ y', "it's", '^ spaced (out)? $'];
    const regexes = patterns.map((value, i) =>
      rule('r', i, { path: exact(`/r${i}`), headers: [headerRegex('x', value)] }, fixed(200)),
    );
    const model = gatewayModel([port(18080, [host('a.example.com', [...rules, ...regexes])])]);
    const { config, result } = await renderAndCheck(model);
    expect(result).to.deep.equal({ ok: true });
    expect(config.files[0]!.content).not.to.match(/^\s*gateplane_injected/m);
  });

  it('reads headers by their lowercased name, and refuses names nginx has no variable for', () => {
    expect(headerVariable('X-Header_Name')).to.equal('http_x_header_name');
    expect(headerVariable('x.y')).to.equal(undefined);
  });
});
