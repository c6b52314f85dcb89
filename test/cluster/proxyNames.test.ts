import { expect } from 'chai';
import { gatewayLabelValue, proxyObjectNames } from '../../operator/provision/index.js';

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

describe('names of the objects a Gateway gets', () => {
  it('are gateplane-<gateway>, -config and -certs for an ordinary name', () => {
    expect(proxyObjectNames('web')).to.deep.equal({
      configMap: 'gateplane-web-config',
      secret: 'gateplane-web-certs',
      deployment: 'gateplane-web',
      service: 'gateplane-web',
      serviceAccount: 'gateplane-web',
      roleBinding: 'gateplane-web',
    });
    expect(gatewayLabelValue('web')).to.equal('web');
  });

  const awkward = [
    { name: 'gives a dotted name a Service name that is a DNS label', gateway: 'web.example.com' },
    { name: 'shortens a long name to fit 63 characters', gateway: `a${'b'.repeat(120)}` },
  ];
  for (const c of awkward) {
    it(c.name, () => {
      const names = proxyObjectNames(c.gateway);
      expect(names.service).to.match(DNS_LABEL).and.have.length.at.most(63);
      expect(names.service).to.not.equal(proxyObjectNames(`${c.gateway}x`).service);
      expect(gatewayLabelValue(c.gateway))
        .to.have.length.at.most(63)
        .and.match(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    });
  }
});
