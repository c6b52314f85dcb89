/**
 * operator/agent/bundle.ts: the ConfigMap/Secret format shared by the operator (which writes it)
 * and the agent (which reads it), on configurations rendered by the real drivers.
 */
import { expect } from 'chai';
import type { RenderedConfig } from '../../drivers/driver.js';
import { DRIVER_NAMES, DRIVERS } from '../../drivers/index.js';
import {
  CERTIFICATES_KEY,
  DRIVER_KEY,
  fromBundle,
  HASH_KEY,
  IncompleteBundleError,
  InvalidBundleError,
  MAIN_KEY,
  toBundle,
} from '../../operator/agent/index.js';
import * as f from '../unit/drivers/haproxy/fixtures.js';
import { model } from './agentHarness.js';

const PEM =
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const certificate = f.certificate(PEM);
const target = { bindAddress: '0.0.0.0', runtimeDir: '/var/run/gateplane' };

/** A configuration with an extra file in a folder, which no driver renders yet. */
function withFolder(config: RenderedConfig): RenderedConfig {
  const [main, ...rest] = config.files;
  return { ...config, files: [main!, { path: 'conf.d/extra.conf', content: '# extra\n' }, ...rest] };
}

describe('agent bundle: RenderedConfig as ConfigMap and Secret data', () => {
  for (const driver of DRIVER_NAMES) {
    const config = DRIVERS[driver].render(model(driver, 201, certificate), target);

    it(`gives back the ${driver} configuration it was made from`, () => {
      const { configMap, secret } = toBundle(config);
      expect(fromBundle(configMap, secret)).to.deep.equal(config);
    });

    it(`puts the ${driver} certificates in the Secret only, and names hash, driver and main file`, () => {
      const { configMap, secret } = toBundle(config);
      const key = `${certificate.id}.pem`;
      expect(secret.data).to.deep.equal({ [key]: Buffer.from(PEM).toString('base64') });
      expect(configMap.data).to.deep.equal({
        [HASH_KEY]: config.hash,
        [DRIVER_KEY]: driver,
        [MAIN_KEY]: config.main,
        [CERTIFICATES_KEY]: key,
        [config.main]: config.files[0]!.content,
      });
      expect(configMap).to.not.have.property('binaryData');
      expect(JSON.stringify(configMap)).to.not.include('PRIVATE KEY');
    });
  }

  const nginx = DRIVERS.nginx.render(model('nginx', 201, certificate), target);

  it('writes a file in a folder under its path with "/" as "__"', () => {
    const config = withFolder(nginx);
    const { configMap, secret } = toBundle(config);
    expect(configMap.data['conf.d__extra.conf']).to.equal('# extra\n');
    expect(fromBundle(configMap, secret)).to.deep.equal(config);
  });

  it('gzips every file into binaryData past the size limit, the same bytes every time', () => {
    const config = withFolder(nginx);
    const { configMap, secret } = toBundle(config, { compressAboveBytes: 100 });
    expect(Object.keys(configMap.binaryData ?? {}).sort()).to.deep.equal([
      'conf.d__extra.conf.gz',
      'nginx.conf.gz',
    ]);
    expect(Object.keys(configMap.data).every((key) => key.startsWith('gateplane.'))).to.equal(true);
    expect(toBundle(config, { compressAboveBytes: 100 })).to.deep.equal({ configMap, secret });
    expect(fromBundle(configMap, secret)).to.deep.equal(config);
  });

  it('reports the certificates a Secret lacks rather than a configuration without them', () => {
    const { configMap } = toBundle(nginx);
    const read = () => fromBundle(configMap, { data: {} });
    expect(read)
      .to.throw(IncompleteBundleError)
      .with.property('missing')
      .that.deep.equals([`${certificate.id}.pem`]);
    expect(() => fromBundle(configMap, undefined)).to.throw(IncompleteBundleError);
  });

  it('ignores Secret keys the configuration does not list', () => {
    const plain = DRIVERS.nginx.render(model('nginx', 201), target);
    const { configMap } = toBundle(plain);
    const stale = { data: { 'old.pem': Buffer.from(PEM).toString('base64') } };
    expect(fromBundle(configMap, stale)).to.deep.equal(plain);
  });

  const invalid: readonly { name: string; edit: (data: Record<string, string>) => void }[] = [
    {
      name: 'a key that climbs out of the runtime directory',
      edit: (d) => (d['..__..__etc__cron.d__x'] = ''),
    },
    { name: 'a certificate in the ConfigMap', edit: (d) => (d['certs__x.pem'] = PEM) },
    { name: 'an unknown driver', edit: (d) => (d[DRIVER_KEY] = 'envoy') },
    { name: 'no hash', edit: (d) => delete d[HASH_KEY] },
    { name: 'a main file it does not hold', edit: (d) => (d[MAIN_KEY] = 'other.conf') },
    { name: 'a listed certificate key that names a path', edit: (d) => (d[CERTIFICATES_KEY] = '..') },
  ];
  for (const c of invalid) {
    it(`refuses a ConfigMap with ${c.name}`, () => {
      const { configMap, secret } = toBundle(nginx);
      const data = { ...configMap.data };
      c.edit(data);
      const withKey = { data: { ...secret.data, '..': 'eA==' } };
      expect(() => fromBundle({ data }, withKey)).to.throw(InvalidBundleError);
    });
  }

  it('refuses binaryData that is not gzip', () => {
    const { configMap, secret } = toBundle(nginx, { compressAboveBytes: 0 });
    const binaryData = { 'nginx.conf.gz': Buffer.from('plain').toString('base64') };
    expect(() => fromBundle({ ...configMap, binaryData }, secret)).to.throw(InvalidBundleError, 'not gzip');
  });

  it('will not publish a private file outside certs/ or a path a key cannot carry', () => {
    const secretFile = { ...nginx, files: [...nginx.files, { path: 'key.pem', content: 'k', mode: 0o600 }] };
    expect(() => toBundle(secretFile)).to.throw('private file key.pem must be under certs/');
    const odd = { ...nginx, files: [...nginx.files, { path: 'a__b.conf', content: '' }] };
    expect(() => toBundle(odd)).to.throw('contains "__"');
    const ambiguous = { ...nginx, files: [...nginx.files, { path: 'a_/b.conf', content: '' }] };
    expect(() => toBundle(ambiguous)).to.throw('starts or ends with "_"');
  });
});
