/**
 * examples/cluster against the chart and the k3d scripts, which cannot run here: resolved with
 * the GatewayClasses and DataPlaneConfigs the chart renders, every class, Gateway and route is
 * accepted with the right driver, and the names and ports hack/k3d-*.sh rely on are there.
 */
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { resolveYaml, summary } from '../../support/resolveFixture.js';
import { parseManifests, renderChart, ROOT, type Manifest } from './chartRender.js';

const EXAMPLE = path.join(ROOT, 'examples/cluster');

async function exampleManifests(): Promise<Manifest[]> {
  const files = (await readdir(EXAMPLE)).filter((f) => f.endsWith('.yaml')).sort();
  const texts = await Promise.all(files.map((f) => readFile(path.join(EXAMPLE, f), 'utf8')));
  return texts.flatMap((t) => parseManifests(t));
}

type Listener = { port: number };
type Gateway = Manifest & { spec: { gatewayClassName: string; listeners: Listener[] } };

describe('examples/cluster', function () {
  let example: Manifest[] = [];
  let chart: Manifest[] = [];

  before(async function () {
    this.timeout(180_000);
    example = await exampleManifests();
    chart = (await renderChart()).filter((m) => m.kind === 'GatewayClass' || m.kind === 'DataPlaneConfig');
  });

  const gateways = () => example.filter((m): m is Gateway => m.kind === 'Gateway');

  it('has a Gateway for each GatewayClass the chart installs', () => {
    const classes = chart.filter((m) => m.kind === 'GatewayClass').map((m) => m.metadata.name);
    expect(
      gateways()
        .map((g) => g.spec.gatewayClassName)
        .sort(),
    ).to.deep.equal([...classes].sort());
  });

  it('is accepted by gateplane with the chart, each Gateway on the driver of its class', () => {
    const resolution = resolveYaml([...chart, ...example].map((m) => stringify(m)).join('---\n'));
    for (const s of resolution.statuses) {
      const conditions =
        'conditions' in s.status ? s.status.conditions : s.status.parents.flatMap((p) => p.conditions);
      expect(summary(conditions), `${s.kind} ${s.metadata.name}`).to.include.members([
        'Accepted=True/Accepted',
      ]);
    }
    expect(resolution.statuses.map((s) => s.kind).sort()).to.deep.equal([
      'Gateway',
      'Gateway',
      'GatewayClass',
      'GatewayClass',
      'HTTPRoute',
      'HTTPRoute',
    ]);
    for (const entry of resolution.gateways) {
      const gateway = gateways().find((g) => g.metadata.name === entry.gateway.name)!;
      expect(`gateplane-${entry.model?.driver}`).to.equal(gateway.spec.gatewayClassName);
    }
  });

  it('listens only on ports hack/k3d-up.sh publishes', async () => {
    const script = await readFile(path.join(ROOT, 'hack/k3d-up.sh'), 'utf8');
    const published = /GATEPLANE_K3D_PORTS:-([\d ]+)\}/.exec(script)?.[1]?.split(' ').map(Number) ?? [];
    const ports = gateways().flatMap((g) => g.spec.listeners.map((l) => l.port));
    expect(published).to.include.members(ports);
  });

  it('names its Gateways and routes as hack/k3d-demo.sh expects', async () => {
    const script = await readFile(path.join(ROOT, 'hack/k3d-demo.sh'), 'utf8');
    const demoed = /for gateway in ([a-z ]+); do/.exec(script)?.[1]?.split(' ') ?? [];
    expect(
      gateways()
        .map((g) => g.metadata.name)
        .sort(),
    ).to.deep.equal([...demoed].sort());
    const routes = example.filter((m) => m.kind === 'HTTPRoute').map((m) => m.metadata.name);
    expect(routes.sort()).to.deep.equal(demoed.map((g) => `whoami-${g}`).sort());
  });
});
