import { expect } from 'chai';
import { proxyObjectNames } from '../../operator/provision/index.js';
import type { FakeKubeApi, JsonObject } from '../support/fakeKubeApi/index.js';
import {
  assignAddress,
  backend,
  condition,
  dataOf,
  gateway,
  gatewayClass,
  gatewayObject,
  object,
  proxyPod,
  route,
  startApi,
  startController,
  statusPatches,
  type Running,
} from './clusterHarness.js';
import { eventually } from './support.js';

const NAMES = proxyObjectNames('gw');

describe('cluster controller: Gateway status from the proxy pods', () => {
  let api: FakeKubeApi;
  let run: Running | undefined;

  const programmed = () => condition(gatewayObject(api), 'Programmed');
  const addresses = () =>
    ((gatewayObject(api)?.status as JsonObject | undefined)?.addresses ?? []) as JsonObject[];
  const hash = () => dataOf(object(api, 'ConfigMap', NAMES.configMap))['gateplane.hash'];

  beforeEach(async () => {
    api = await startApi();
    api.put(gatewayClass());
    backend(api);
    api.put(gateway());
    api.put(route('web', { path: '/v1' }));
    run = await startController(api);
    await eventually(
      () => hash() !== undefined && object(api, 'Service', NAMES.service) !== undefined,
      'the Gateway is published',
    );
  });

  afterEach(async () => {
    await run?.controller.stop();
    run = undefined;
    await api.close();
  });

  it('is Pending until a ready pod serves the published hash, then Programmed', async () => {
    assignAddress(api, NAMES.service, [{ ip: '203.0.113.7' }]);
    await eventually(() => programmed().reason === 'Pending', 'Pending without pods');
    expect(programmed().message).to.include('Waiting for a proxy pod');

    proxyPod(api, 'gw-1', { hash: hash(), ready: false });
    proxyPod(api, 'gw-2', { hash: 'an-older-hash' });
    await eventually(
      () => /1 of 1 ready/.test(programmed().message ?? ''),
      'a ready pod on an old hash keeps it Pending',
    );
    expect(programmed()).to.include({ status: 'False', reason: 'Pending' });

    proxyPod(api, 'gw-2', { hash: hash() });
    await eventually(() => programmed().status === 'True', 'Programmed once every ready pod serves the hash');
    expect(addresses()).to.deep.equal([{ type: 'IPAddress', value: '203.0.113.7' }]);
    const listeners = ((gatewayObject(api)?.status as JsonObject).listeners ?? []) as JsonObject[];
    expect(condition({ status: listeners[0] ?? {} }, 'Programmed').status).to.equal('True');
  });

  it('goes back to Pending when a route change publishes a hash the pods do not serve yet', async () => {
    assignAddress(api, NAMES.service, [{ ip: '203.0.113.7' }]);
    const first = hash();
    proxyPod(api, 'gw-1', { hash: first });
    await eventually(() => programmed().status === 'True', 'Programmed');

    api.put(route('web', { path: '/v2' }));
    await eventually(() => hash() !== first, 'a new hash is published');
    await eventually(() => programmed().reason === 'Pending', 'stale pods: Pending');

    proxyPod(api, 'gw-1', { hash: hash() });
    await eventually(
      () => programmed().status === 'True',
      'Programmed again once the agent reports the new hash',
    );
  });

  it('takes status.addresses from the Service’s load-balancer ingress, and says when there is none', async () => {
    proxyPod(api, 'gw-1', { hash: hash() });
    await eventually(() => programmed().reason === 'AddressNotAssigned', 'no address yet');
    expect(addresses()).to.deep.equal([]);

    assignAddress(api, NAMES.service, [{ ip: '203.0.113.7' }, { hostname: 'lb.example.com' }]);
    await eventually(() => programmed().status === 'True', 'Programmed with an address');
    expect(addresses()).to.deep.equal([
      { type: 'IPAddress', value: '203.0.113.7' },
      { type: 'Hostname', value: 'lb.example.com' },
    ]);
  });

  it('writes a Gateway’s status once per change, not once per event', async () => {
    assignAddress(api, NAMES.service, [{ ip: '203.0.113.7' }]);
    proxyPod(api, 'gw-1', { hash: hash() });
    await eventually(() => programmed().status === 'True', 'Programmed');
    await run!.controller.idle();
    const mark = api.requests.length;

    // Events that change nothing the status says.
    proxyPod(api, 'gw-2', { hash: hash() });
    api.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: 'default', name: 'unrelated' },
      data: { a: 'b' },
    });
    await eventually(() => api.openWatches > 0, 'watching');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await run!.controller.idle();
    expect(statusPatches(api, mark)).to.deep.equal([]);
  });
});
