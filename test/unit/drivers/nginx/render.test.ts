import { expect } from 'chai';
import { nginxDriver } from '../../../../drivers/nginx/index.js';
import type { GatewayModel } from '../../../../operator/model/types.js';
import { renderAndCheck } from './checker.js';
import {
  exact,
  fixed,
  forward,
  gatewayModel,
  host,
  invalid,
  port,
  prefix,
  rule,
  to,
  upstream,
} from './fixtures.js';

const target = { bindAddress: '127.0.41.1', runtimeDir: '/srv/gateplane/default/gw' };
/** The configuration, with its generation (drivers/nginx/handover.ts) written as <gen>. */
const render = (model: GatewayModel) =>
  nginxDriver.render(model, target).files[0]!.content.replace(/unix:[0-9a-f]{12}\//g, 'unix:<gen>/');

const web = upstream('web', 80, [
  ['10.0.0.1', 8080],
  ['fd00::2', 8080],
]);
const canary = upstream('canary', 80, [['10.0.0.3', 8080]]);
const empty = upstream('empty', 80, []);

function fullModel(): GatewayModel {
  return gatewayModel(
    [
      port(18080, [
        host('app.example.com', [
          rule('app', 0, exact('/login'), fixed(403)),
          rule('app', 1, prefix('/api'), forward(to(web.name, 3), to(canary.name, 1))),
          rule('app', 2, prefix('/'), forward(to(web.name))),
        ]),
        host('*.example.com', [rule('wild', 0, prefix('/'), forward(to(empty.name)))]),
        host('*', [rule('fallback', 0, prefix('/'), forward(to(web.name), invalid(1)))]),
      ]),
      port(18081, [host('app.example.com', [rule('other', 0, prefix('/'), fixed(204))])]),
    ],
    [web, canary, empty],
  );
}

describe('nginx render', () => {
  it('binds each port on the target address, one server per virtual host', () => {
    const conf = render(fullModel());
    expect(conf).to.include(
      'listen "127.0.41.1:18080";\n        listen unix:<gen>/18080.sock;\n        server_name "app.example.com";',
    );
    expect(conf).to.include('server_name "*.example.com";');
    expect(conf).to.include('listen "127.0.41.1:18081";\n        listen unix:<gen>/18081.sock;');
  });

  it('makes the catch-all host the default server, and adds a 404 default server where there is none', () => {
    const conf = render(fullModel());
    expect(conf).to.include(
      '# listener http hostname *\n    server {\n        listen "127.0.41.1:18080" default_server;\n' +
        '        listen unix:<gen>/18080.sock default_server;\n',
    );
    expect(conf).not.to.include('# port 18080: no virtual host');
    expect(conf).to.include(
      '# port 18081: no virtual host\n    server {\n        listen "127.0.41.1:18081" default_server;\n' +
        '        listen unix:<gen>/18081.sock default_server;\n\n        location "/" {\n' +
        '            if ($gp_no_handover) {\n                return 404 $gp_empty;\n            }\n' +
        '            error_page 502 = @gp_not_found;\n            error_log stderr alert;\n' +
        '            proxy_pass "http://unix:next/18081.sock:";\n        }\n\n' +
        '        location @gp_not_found {\n            return 404 $gp_empty;\n        }\n    }',
    );
  });

  it('names the generation after the hash, and answers handed-over requests itself', () => {
    const config = nginxDriver.render(fullModel(), target);
    const conf = config.files[0]!.content;
    expect(conf).to.include(`listen unix:${config.hash.slice(0, 12)}/18081.sock default_server;`);
    expect(conf).to.include(
      'map "$remote_addr $http_host" $gp_no_handover {\n        "~^unix: " 1;\n        "~ $" 1;\n        default "";\n    }',
    );
  });

  it('writes a comment naming the route rule above its location', () => {
    expect(render(fullModel())).to.include(
      '# route default/app rule 0 match 0 [default_app_r0_m0]\n        location = "/login" {\n            return 403 $gp_empty;',
    );
  });

  it('splits weighted backends with split_clients on $request_id', () => {
    const conf = render(fullModel());
    expect(conf).to.include(
      'split_clients "$request_id" $gp_backend_0 {\n        75.00% "default_web_80";\n        * "default_canary_80";\n    }',
    );
    expect(conf).to.match(/location "\/api\/" \{\n\s+proxy_pass http:\/\/\$gp_backend_0;/);
  });

  it('answers 500 for the share of an invalid backend', () => {
    expect(render(fullModel())).to.match(
      /if \(\$gp_backend_1 = "!500"\) \{\n\s+return 500 \$gp_empty;\n\s+\}\n\s+proxy_pass http:\/\/\$gp_backend_1;/,
    );
  });

  it('answers 503 for an upstream without endpoints and declares no upstream block for it', () => {
    const conf = render(fullModel());
    expect(conf).to.match(
      /server_name "\*\.example\.com";\n\n\s+# route default\/wild rule 0 match 0 \[default_wild_r0_m0\]\n\s+location "\/" \{\n\s+return 503 \$gp_empty;/,
    );
    expect(conf).not.to.include('upstream default_empty_80');
  });

  it('proxies a single backend straight to its upstream, with keep-alive and the Host header preserved', () => {
    const conf = render(fullModel());
    expect(conf).to.include('proxy_pass http://default_web_80;');
    expect(conf).to.include(
      'upstream default_web_80 {\n        server "10.0.0.1:8080";\n        server "[fd00::2]:8080";\n        keepalive 64;\n    }',
    );
    expect(conf).to.include(
      'proxy_http_version 1.1;\n    proxy_set_header "Host" "${http_host}";\n    proxy_set_header "Connection" "";',
    );
  });

  it('keeps every runtime path under the runtime directory and sets no user', () => {
    const conf = render(fullModel());
    for (const line of conf.split('\n').filter((l) => /^\s*(pid|error_log|\w+_temp_path) /.test(l))) {
      expect(line, line).to.match(/"\/srv\/gateplane\/default\/gw\/|error_log stderr/);
    }
    expect(conf).to.include('listen "unix:/srv/gateplane/default/gw/status.sock";');
    expect(conf).not.to.match(/^\s*user /m);
  });

  it('serves the configuration hash on the status socket', () => {
    const config = nginxDriver.render(fullModel(), target);
    expect(config.files[0]!.content).to.include(`return 200 "${config.hash}";`);
    expect(config).to.include({ driver: 'nginx', main: 'nginx.conf' });
  });

  it('maps settings to worker_processes and worker_shutdown_timeout', () => {
    expect(render(fullModel())).to.include('worker_processes auto;\nworker_shutdown_timeout 5000ms;');
    const tuned = { ...fullModel(), settings: { drainTimeoutSeconds: 0, workers: 3 } };
    expect(render(tuned)).to.include('worker_processes 3;\nworker_shutdown_timeout 1ms;');
  });

  it('brackets an IPv6 bind address', () => {
    const conf = nginxDriver.render(fullModel(), { ...target, bindAddress: '::1' }).files[0]!.content;
    expect(conf).to.include('listen "[::1]:18080" default_server;');
  });

  it('renders the same bytes and hash twice, and a new hash for a changed model', () => {
    const first = nginxDriver.render(fullModel(), target);
    expect(nginxDriver.render(fullModel(), target)).to.deep.equal(first);
    const changed = gatewayModel([
      port(18080, [host('app.example.com', [rule('app', 0, prefix('/'), fixed(200))])]),
    ]);
    expect(nginxDriver.render(changed, target).hash).not.to.equal(first.hash);
  });

  it('is accepted by nginx -t', async () => {
    const { result } = await renderAndCheck(fullModel());
    expect(result).to.deep.equal({ ok: true });
  });

  it('renders a model without ports to a valid configuration holding only the status server', async () => {
    const { config, result } = await renderAndCheck(gatewayModel([]));
    expect(result).to.deep.equal({ ok: true });
    expect(config.files[0]!.content.match(/^\s*server \{/gm)).to.have.length(1);
  });

  it('accepts hostnames of 253 characters', async () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    const hosts = [host(long, [rule('long', 0, prefix('/'), fixed(200))]), host(`*.${long.slice(2)}`, [])];
    expect((await renderAndCheck(gatewayModel([port(18080, hosts)]))).result).to.deep.equal({ ok: true });
  });
});
