/**
 * The chart's Kubernetes-native objects against the API's own OpenAPI schemas, through
 * kubernetes-models (4.5.1: Kubernetes 1.33, runs on Node 20). It catches wrong types and enum
 * values anywhere in a manifest, but not unknown fields or CEL rules; the other packaging tests
 * cover what matters beyond that.
 */
import { expect } from 'chai';
import { renderChart, type Manifest } from './chartRender.js';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** The model class of a manifest's kind; a kind kubernetes-models does not know is an error. */
async function modelFor(manifest: Manifest): Promise<ModelClass> {
  const specifier = `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`;
  const module = (await import(specifier)) as Record<string, unknown>;
  const model = module[manifest.kind];
  if (typeof model !== 'function') throw new Error(`no model for ${manifest.apiVersion} ${manifest.kind}`);
  return model as ModelClass;
}

/** Custom resources have no model there; the CRD-schema tests check them. */
const NOT_NATIVE = new Set(['DataPlaneConfig', 'GatewayClass']);

describe('the chart against the Kubernetes OpenAPI schemas', function () {
  this.timeout(180_000);

  it('validates every native object', async () => {
    const manifests = (await renderChart()).filter((m) => !NOT_NATIVE.has(m.kind));
    const problems: string[] = [];
    for (const manifest of manifests) {
      const Model = await modelFor(manifest);
      try {
        new Model(manifest).validate();
      } catch (error) {
        problems.push(`${manifest.kind} ${manifest.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
