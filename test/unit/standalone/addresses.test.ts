import { expect } from 'chai';
import { AddressPool, parsePool } from '../../../operator/standalone/addresses.js';

describe('standalone: address pool', () => {
  it('hands out addresses in order, skipping the network address, and keeps them per Gateway', () => {
    const pool = new AddressPool('127.0.1.0/24');
    expect(pool.assign('a', [])).to.deep.equal({ address: '127.0.1.1' });
    expect(pool.assign('b', [])).to.deep.equal({ address: '127.0.1.2' });
    expect(pool.assign('a', [])).to.deep.equal({ address: '127.0.1.1' });
  });

  it('reuses a released address', () => {
    const pool = new AddressPool('127.0.1.0/24');
    pool.assign('a', []);
    pool.release('a');
    expect(pool.assign('b', [])).to.deep.equal({ address: '127.0.1.1' });
  });

  it('honours the first requested IPAddress, and refuses one already taken or not on loopback', () => {
    const pool = new AddressPool('127.0.1.0/24');
    expect(pool.assign('a', [{ type: 'IPAddress', value: '127.0.9.9' }])).to.deep.equal({
      address: '127.0.9.9',
    });
    expect(pool.assign('b', [{ type: 'IPAddress', value: '127.0.9.9' }]))
      .to.have.property('problem')
      .that.match(/already used by Gateway a/);
    expect(pool.assign('c', [{ type: 'IPAddress', value: '10.0.0.1' }]))
      .to.have.property('problem')
      .that.match(/not a loopback/);
    expect(pool.assign('d', [{ type: 'Hostname', value: 'x.example.com' }]))
      .to.have.property('problem')
      .that.match(/Hostname/);
  });

  it('says so when the pool is exhausted', () => {
    const pool = new AddressPool('127.0.1.0/30');
    pool.assign('a', []);
    pool.assign('b', []);
    expect(pool.assign('c', []))
      .to.have.property('problem')
      .that.match(/exhausted/);
  });

  it('refuses a pool outside loopback', () => {
    expect(() => parsePool('10.0.0.0/24')).to.throw(/loopback/);
  });
});

describe('standalone: state folders', () => {
  it('names a Gateway folder <namespace>_<name>, and shortens long ones with a hash', async () => {
    const { gatewayFolder } = await import('../../../operator/standalone/stateDir.js');
    expect(gatewayFolder('/s', { namespace: 'default', name: 'web' })).to.equal('/s/default_web');
    const long = gatewayFolder('/s', { namespace: 'gateway-conformance-infra', name: 'x'.repeat(253) });
    const other = gatewayFolder('/s', {
      namespace: 'gateway-conformance-infra',
      name: `${'x'.repeat(252)}y`,
    });
    expect(long).to.match(/^\/s\/gateway-conformance-infra_x+-[0-9a-f]{12}$/);
    expect(long.length - '/s/'.length).to.equal(40);
    expect(other).to.not.equal(long);
  });
});
