/**
 * The agent's behaviour that does not depend on the proxy (watch recovery, coalescing, restart,
 * readiness, unusable inputs), shown with a real nginx.
 */
import { expect } from 'chai';
import type { Driver, RenderedConfig } from '../../drivers/driver.js';
import { DRIVERS } from '../../drivers/index.js';
import type { Agent } from '../../operator/agent/index.js';
import { AgentScene, model, POD } from './agentHarness.js';
import { eventually } from './support.js';

const ADDRESS = '127.0.47.4';

describe('agent recovery and coalescing', function () {
  this.timeout(60_000);
  let scene: AgentScene;

  beforeEach(async () => {
    scene = await AgentScene.open('nginx', ADDRESS);
  });

  afterEach(async () => {
    await scene.close();
  });

  async function appliedFirst(): Promise<RenderedConfig> {
    const first = scene.render(201);
    scene.publish(first);
    await scene.startAgent();
    await eventually(() => scene.appliedAnnotation() === first.hash, 'the first annotation');
    return first;
  }

  const lists = (): number =>
    scene.api.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/configmaps') && !r.query.watch)
      .length;

  it('recovers from a dropped watch and applies what changed while it was down', async () => {
    await appliedFirst();
    const resume = scene.api.pauseWatches();
    const second = scene.render(202);
    scene.publish(second);
    scene.api.dropWatches();
    resume();
    await eventually(() => scene.appliedAnnotation() === second.hash, 'the annotation after the drop');
    await scene.answers(202);
  });

  it('re-lists on 410 Expired and applies what changed while the history was compacted', async () => {
    await appliedFirst();
    const before = lists();
    const resume = scene.api.pauseWatches();
    const second = scene.render(202);
    scene.publish(second);
    scene.api.compact();
    scene.api.closeWatches();
    resume();
    await eventually(() => scene.appliedAnnotation() === second.hash, 'the annotation after 410');
    expect(lists()).to.be.greaterThan(before);
    await scene.answers(202);
  });

  it('never applies twice at once, and applies the latest of a burst', async () => {
    const real = DRIVERS.nginx;
    let gate: Promise<void> = Promise.resolve();
    let active = 0;
    let mostActive = 0;
    const validated: string[] = [];
    const driver: Driver = {
      ...real,
      async validate(config, dir) {
        validated.push(config.hash);
        mostActive = Math.max(mostActive, ++active);
        await gate;
        try {
          return await real.validate(config, dir);
        } finally {
          active -= 1;
        }
      },
    };
    const [v1, v2, v3, v4] = [201, 202, 203, 204].map((status) => scene.render(status));
    scene.publish(v1!);
    await scene.startAgent({ driver });
    await eventually(() => scene.appliedAnnotation() === v1!.hash);

    let open: () => void = () => {};
    gate = new Promise((resolve) => (open = resolve));
    scene.publish(v2!, { only: 'configMap' });
    await eventually(() => validated.includes(v2!.hash), 'the second validation');
    scene.publish(v3!, { only: 'configMap' });
    const last = scene.publish(v4!, { only: 'configMap' });
    await eventually(
      () => scene.logged('Inputs changed').some((entry) => entry.resourceVersion === last),
      'the agent seeing the last change',
    );
    open();
    await eventually(() => scene.appliedAnnotation() === v4!.hash, 'the latest annotation');
    expect(validated).to.deep.equal([v1!.hash, v2!.hash, v4!.hash]);
    expect(mostActive).to.equal(1);
    await scene.answers(204);
  });

  it('adopts what the proxy serves when the agent alone restarts, without reloading', async () => {
    const first = await appliedFirst();
    await scene.agent?.stop();
    await eventually(() => scene.api.openWatches === 0, 'the watches closing');
    expect(await scene.status()).to.equal(201);
    const patches = () => scene.api.writes((r) => r.path.endsWith(`/pods/${POD}`)).length;
    expect(patches()).to.equal(1);
    await scene.startAgent();
    await eventually(() => patches() === 2, 'the second annotation');
    expect(scene.appliedAnnotation()).to.equal(first.hash);
    expect(await scene.probe('/readyz')).to.equal(200);
    expect(scene.logged('Configuration applied')).to.have.length(1);
  });

  it('applies a ConfigMap whose files were gzip-compressed into binaryData', async () => {
    const config = scene.render(201);
    scene.publish(config, { bundle: { compressAboveBytes: 0 } });
    const stored = scene.api.get('v1', 'ConfigMap', 'default', 'gateplane-gw-config');
    expect(Object.keys((stored?.binaryData as object | undefined) ?? {})).to.deep.equal(['nginx.conf.gz']);
    expect(stored?.data).to.not.have.property('nginx.conf');
    await scene.startAgent();
    await eventually(() => scene.appliedAnnotation() === config.hash);
    expect(await scene.status()).to.equal(201);
  });

  it('refuses a configuration rendered for another driver and waits for new inputs', async () => {
    const first = await appliedFirst();
    const other = DRIVERS.haproxy.render(model('haproxy', 202), {
      bindAddress: ADDRESS,
      runtimeDir: scene.dir,
    });
    scene.publish(other);
    await eventually(() => scene.logged('Configuration refused; the previous one keeps serving').length > 0);
    const [refusal] = scene.logged('Configuration refused; the previous one keeps serving');
    expect(String(refusal?.reason)).to.equal('the configuration is for haproxy, this pod runs nginx');
    expect(scene.appliedAnnotation()).to.equal(first.hash);
    expect(await scene.status()).to.equal(201);
  });

  it('is not ready while its proxy does not answer, though alive', async () => {
    await appliedFirst();
    expect(await scene.probe('/readyz')).to.equal(200);
    await scene.proxy?.stop();
    expect(await scene.probe('/readyz')).to.equal(503);
    expect(await scene.probe('/healthz')).to.equal(200);
  });

  it('waits, without refusing, while the ConfigMap does not exist', async () => {
    const agent: Agent = await scene.startAgent();
    await eventually(() => scene.logged('Waiting for the operator to publish the configuration').length > 0);
    expect(await agent.ready()).to.equal(false);
    const config = scene.render(201);
    scene.publish(config);
    await eventually(() => scene.appliedAnnotation() === config.hash);
    expect(scene.logged('Configuration refused; the previous one keeps serving')).to.be.empty;
  });
});
