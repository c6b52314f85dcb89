/**
 * The CRD's schema and the zod schema must accept and refuse the same DataPlaneConfigs: the API
 * server checks the first, the operator the second, and a user should never get an object past
 * one that the other refuses.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { dataPlaneConfigSpec } from '../../../operator/api/dataPlaneConfig.js';
import { dataPlaneConfigCrd } from '../../../hack/generate-crds.js';
import { validateStructural } from './structuralSchema.js';

type Schema = Record<string, unknown>;

function specSchema(): Schema {
  const crd = dataPlaneConfigCrd() as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  const root = crd.spec.versions[0]!.schema.openAPIV3Schema as { properties: { spec: Schema } };
  return root.properties.spec;
}

const spec = specSchema();
const byCrd = (value: unknown): boolean => validateStructural(spec, value, 'spec').length === 0;
const byZod = (value: unknown): boolean => dataPlaneConfigSpec.safeParse(value).success;

const valid: { name: string; spec: unknown }[] = [
  { name: 'only a driver', spec: { driver: 'nginx' } },
  {
    name: 'every field set',
    spec: {
      driver: 'haproxy',
      image: 'registry.example/gateplane:1.0',
      replicas: 3,
      service: { type: 'NodePort', annotations: { 'example.com/lb': 'internal' } },
      resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } },
      drainTimeout: '2m',
      workerProcesses: 64,
      logFormat: 'json',
    },
  },
  { name: 'an empty service (its type defaults)', spec: { driver: 'nginx', service: {} } },
  {
    name: 'an unknown field (pruned by the API server, stripped by zod)',
    spec: { driver: 'nginx', colour: 'blue' },
  },
];

const invalid: { name: string; spec: unknown }[] = [
  { name: 'no driver', spec: {} },
  { name: 'an unknown driver', spec: { driver: 'envoy' } },
  { name: 'zero replicas', spec: { driver: 'nginx', replicas: 0 } },
  { name: 'a fractional replica count', spec: { driver: 'nginx', replicas: 1.5 } },
  { name: 'replicas as a string', spec: { driver: 'nginx', replicas: '2' } },
  { name: 'an unknown Service type', spec: { driver: 'nginx', service: { type: 'External' } } },
  { name: 'a non-string annotation', spec: { driver: 'nginx', service: { annotations: { a: 1 } } } },
  { name: 'resources as a list', spec: { driver: 'nginx', resources: [] } },
  { name: 'a duration without a unit', spec: { driver: 'nginx', drainTimeout: '30' } },
  { name: 'a duration in days', spec: { driver: 'nginx', drainTimeout: '1d' } },
  { name: '65 worker processes', spec: { driver: 'nginx', workerProcesses: 65 } },
  { name: 'an unknown log format', spec: { driver: 'nginx', logFormat: 'xml' } },
];

describe('the DataPlaneConfig CRD schema and the zod schema', () => {
  for (const c of valid) {
    it(`both accept ${c.name}`, () => expect([byZod(c.spec), byCrd(c.spec)]).to.deep.equal([true, true]));
  }
  for (const c of invalid) {
    it(`both refuse ${c.name}`, () => expect([byZod(c.spec), byCrd(c.spec)]).to.deep.equal([false, false]));
  }

  it('agree on generated specs mixing valid and invalid fields', () => {
    const maybe = <T>(...values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
    const specs = fc.record(
      {
        driver: maybe<unknown>('nginx', 'haproxy', 'envoy', 1),
        image: maybe<unknown>('gateplane:dev', 3),
        replicas: maybe<unknown>(0, 1, 3, 1.5, '2', -1),
        service: maybe<unknown>(
          {},
          { type: 'NodePort' },
          { type: 'Foo' },
          { annotations: { a: 'b' } },
          { annotations: { a: 1 } },
          'lb',
        ),
        resources: maybe<unknown>({ limits: { cpu: '1' } }, {}, [], 'big'),
        drainTimeout: maybe<unknown>('30s', '5m', '1h', '10', '1d', 30, ''),
        workerProcesses: maybe<unknown>(0, 1, 64, 65, 2.5),
        logFormat: maybe<unknown>('text', 'json', 'xml'),
        extra: maybe<unknown>(1, 'x'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(specs, (value) => {
        // fc.option gives undefined for "absent"; drop those keys, as YAML would never hold them.
        const object = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
        expect(byCrd(object), JSON.stringify(object)).to.equal(byZod(object));
      }),
      { numRuns: 2000 },
    );
  });
});
