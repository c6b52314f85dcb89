/**
 * The operator and the agent together, against the fake API server and a REAL nginx started as
 * the pod's proxy container starts it: what the operator publishes, the agent applies, and the
 * hash the agent records makes the Gateway Programmed. The render target points at a folder on
 * this machine instead of the pod's /var/run/gateplane.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DRIVERS } from '../../drivers/index.js';
import { Agent, APPLIED_HASH_ANNOTATION } from '../../operator/agent/index.js';
import { proxyObjectNames } from '../../operator/provision/index.js';
import { kubeConfigFor, type FakeKubeApi, type JsonObject } from '../support/fakeKubeApi/index.js';
import { startProxyContainer, type ProxyContainer } from './agentHarness.js';
import {
  assignAddress,
  backend,
  condition,
  dataOf,
  gateway,
  gatewayClass,
  gatewayObject,
  httpListener,
  meta,
  NS,
  object,
  proxyPod,
  route,
  startApi,
  startController,
  type Running,
} from './clusterHarness.js';
import { eventually } from './support.js';

const ADDRESS = '127.0.48.1';
const PORT = 18_573;
const NAMES = proxyObjectNames('gw');

describe('operator and agent with a real nginx', function () {
  this.timeout(60_000);
  let api: FakeKubeApi;
  let dir: string;
  let run: Running | undefined;
  let proxy: ProxyContainer | undefined;
  let agent: Agent | undefined;

  const hash = () => dataOf(object(api, 'ConfigMap', NAMES.configMap))['gateplane.hash'];
  const applied = () => meta(api.get('v1', 'Pod', NS, 'gw-1')).annotations?.[APPLIED_HASH_ANNOTATION];
  const programmed = () => condition(gatewayObject(api), 'Programmed');

  beforeEach(async () => {
    api = await startApi();
    dir = await mkdtemp(path.join(os.tmpdir(), 'gp-e2e-'));
    api.put(gatewayClass());
    backend(api);
    api.put(gateway('gw', [httpListener(PORT)]));
    api.put(route('web', { path: '/v1' }));
  });

  afterEach(async () => {
    await agent?.stop();
    await proxy?.stop();
    await run?.controller.stop();
    await api.close();
    await rm(dir, { recursive: true, force: true });
    agent = proxy = run = undefined;
  });

  it('publishes, the agent applies and annotates, and the Gateway becomes Programmed; a route change follows', async () => {
    run = await startController(api, { renderTarget: { bindAddress: ADDRESS, runtimeDir: dir } });
    await eventually(() => object(api, 'Service', NAMES.service) !== undefined, 'published');
    assignAddress(api, NAMES.service, [{ ip: ADDRESS }]);
    proxyPod(api, 'gw-1');
    proxy = startProxyContainer('nginx', dir);
    agent = new Agent({
      kubeConfig: kubeConfigFor(api),
      namespace: NS,
      podName: 'gw-1',
      gateway: 'gw',
      driver: DRIVERS.nginx,
      runtimeDir: dir,
      logger: run.log.logger,
      timing: { confirmTimeoutMs: 15_000, retryBaseMs: 20, retryMaxMs: 200 },
    });
    await agent.start();

    await eventually(() => programmed().status === 'True', 'Programmed once the agent serves the hash');
    expect(applied()).to.equal(hash());
    const first = hash();

    api.put(route('web', { path: '/v2' }));
    await eventually(() => hash() !== first, 'a new hash is published');
    await eventually(() => applied() === hash(), 'the agent applies it');
    await eventually(() => programmed().status === 'True', 'Programmed on the new hash');
    const addresses = (gatewayObject(api)?.status as JsonObject).addresses;
    expect(addresses).to.deep.equal([{ type: 'IPAddress', value: ADDRESS }]);
  });
});
