import { expect } from 'chai';
import { nginxDriver } from '../../../../drivers/nginx/index.js';
import type { GatewayModel } from '../../../../operator/model/types.js';
import { renderAndCheck } from './checker.js';
import { fixed, gatewayModel, host, httpsPort, port, prefix, rule } from './fixtures.js';
import { selfSigned, type TestCertificate } from './tlsClient.js';

const runtimeDir = '/srv/gateplane/default/gw';
const target = { bindAddress: '127.0.41.1', runtimeDir };

describe('nginx HTTPS', function () {
  this.timeout(20_000);
  let a: TestCertificate;
  let b: TestCertificate;
  let ecdsaLike: TestCertificate;
  let fallback: TestCertificate;

  before(async () => {
    [a, b, ecdsaLike, fallback] = await Promise.all([
      selfSigned('a', ['a.example.com']),
      selfSigned('b', ['*.b.example.com']),
      selfSigned('a2', ['a.example.com']),
      selfSigned('default', ['default.example.com']),
    ]);
  });

  const model = (): GatewayModel =>
    gatewayModel(
      [
        port(18080, [host('a.example.com', [rule('plain', 0, prefix('/'), fixed(200))])]),
        httpsPort(
          18443,
          [
            host('a.example.com', [rule('s', 0, prefix('/'), fixed(201))], [a.model, ecdsaLike.model]),
            host('*.b.example.com', [rule('s', 1, prefix('/'), fixed(202))], [b.model]),
          ],
          fallback.model,
        ),
      ],
      [],
      [a.model, b.model, ecdsaLike.model, fallback.model],
    );
  const pathOf = (c: TestCertificate) => `${runtimeDir}/certs/${c.model.id}.pem`;
  const generation = () => nginxDriver.render(model(), target).hash.slice(0, 12);

  it('writes every certificate to a content-addressed file only its owner can read', () => {
    const config = nginxDriver.render(model(), target);
    expect(config.files[0]!.path).to.equal('nginx.conf');
    expect(config.files.slice(1)).to.deep.equal(
      [...model().certificates].map((c) => ({ path: `certs/${c.id}.pem`, content: c.pem, mode: 0o600 })),
    );
  });

  it('terminates TLS 1.2+ on every server of an HTTPS port, offering each host its certificates', () => {
    const conf = nginxDriver.render(model(), target).files[0]!.content;
    expect(conf).to.include('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(conf).to.include(
      `listen "127.0.41.1:18443" ssl;\n        listen unix:${generation()}/18443.sock;\n` +
        `        server_name "a.example.com";\n` +
        `        ssl_certificate "${pathOf(a)}";\n        ssl_certificate_key "${pathOf(a)}";\n` +
        `        ssl_certificate "${pathOf(ecdsaLike)}";\n        ssl_certificate_key "${pathOf(ecdsaLike)}";\n`,
    );
    expect(conf).to.include(`server_name "*.b.example.com";\n        ssl_certificate "${pathOf(b)}";`);
    expect(conf).to.include(
      `listen unix:${generation()}/18080.sock;\n        server_name "a.example.com";\n\n`,
    );
  });

  it('offers the default certificate from the default server, for an unknown SNI or none', () => {
    expect(nginxDriver.render(model(), target).files[0]!.content).to.include(
      `# port 18443: no virtual host\n    server {\n        listen "127.0.41.1:18443" ssl default_server;\n` +
        `        listen unix:${generation()}/18443.sock default_server;\n` +
        `        ssl_certificate "${pathOf(fallback)}";\n        ssl_certificate_key "${pathOf(fallback)}";\n\n` +
        '        location "/" {',
    );
  });

  it('is accepted by nginx -t, which loads the staged certificates', async () => {
    expect((await renderAndCheck(model())).result).to.deep.equal({ ok: true });
  });

  it('refuses a certificate the model does not list, and a runtime directory nginx would expand', () => {
    const missing = { ...model(), certificates: [a.model] };
    expect(() => nginxDriver.render(missing, target)).to.throw(/render nginx.conf/);
    expect(() => nginxDriver.render(model(), { ...target, runtimeDir: '/srv/$gw' })).to.throw(
      /render nginx.conf/,
    );
  });
});
