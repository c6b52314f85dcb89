import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { CRD_FILE, dataPlaneConfigCrd, staleFiles, toStructural } from '../../../hack/generate-crds.js';
import { ROOT } from './chartRender.js';

describe('generated files', () => {
  it('are what hack/generate-crds.ts produces now (else run npx tsx hack/generate-crds.ts)', async () => {
    expect(await staleFiles()).to.deep.equal([]);
  });

  it('ship the same CRD at the top level and in the chart', async () => {
    const top = await readFile(path.join(ROOT, 'crds', CRD_FILE), 'utf8');
    const chart = await readFile(path.join(ROOT, 'charts/gateplane/crds', CRD_FILE), 'utf8');
    expect(chart).to.equal(top);
    expect(parse(top)).to.deep.equal(dataPlaneConfigCrd());
  });
});

describe('the DataPlaneConfig CRD', () => {
  const crd = dataPlaneConfigCrd() as {
    metadata: { name: string };
    spec: {
      group: string;
      scope: string;
      names: { kind: string; shortNames: string[] };
      versions: { name: string; additionalPrinterColumns: { name: string }[]; subresources?: unknown }[];
    };
  };
  const version = crd.spec.versions[0]!;

  it('is gateplane.io/v1alpha1 DataPlaneConfig, namespaced, short name dpc', () => {
    expect(crd.metadata.name).to.equal('dataplaneconfigs.gateplane.io');
    expect(crd.spec.group).to.equal('gateplane.io');
    expect(crd.spec.scope).to.equal('Namespaced');
    expect(crd.spec.names.kind).to.equal('DataPlaneConfig');
    expect(crd.spec.names.shortNames).to.deep.equal(['dpc']);
    expect(crd.spec.versions.map((v) => v.name)).to.deep.equal(['v1alpha1']);
  });

  it('prints Driver, Replicas and Age columns and has no status subresource', () => {
    expect(version.additionalPrinterColumns.map((c) => c.name)).to.deep.equal(['Driver', 'Replicas', 'Age']);
    expect(version.subresources).to.equal(undefined);
  });
});

describe('toStructural', () => {
  const cases: { name: string; input: Record<string, unknown>; output: Record<string, unknown> }[] = [
    {
      name: 'drops $schema and additionalProperties: false',
      input: { $schema: 'x', type: 'object', properties: {}, additionalProperties: false },
      output: { type: 'object', properties: {} },
    },
    {
      name: 'keeps a free-form record with x-kubernetes-preserve-unknown-fields',
      input: { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} },
      output: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    {
      name: "drops zod's safe-integer bounds but keeps real ones",
      input: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      output: { type: 'integer', minimum: 1 },
    },
  ];
  for (const c of cases) it(c.name, () => expect(toStructural(c.input)).to.deep.equal(c.output));

  const refused: { name: string; input: Record<string, unknown>; message: RegExp }[] = [
    {
      name: 'refuses anyOf, naming the field',
      input: { type: 'object', properties: { a: { anyOf: [] } } },
      message: /spec\.a: .*"anyOf"/,
    },
    {
      name: 'refuses a field without a type',
      input: { type: 'object', properties: { a: {} } },
      message: /spec\.a: .*needs a type/,
    },
  ];
  for (const c of refused) it(c.name, () => expect(() => toStructural(c.input)).to.throw(c.message));
});
