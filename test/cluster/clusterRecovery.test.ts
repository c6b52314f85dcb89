import { expect } from 'chai';
import type { LeaderElectionOptions } from '../../operator/cluster/index.js';
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
  meta,
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
const hashOf = (api: FakeKubeApi) => dataOf(object(api, 'ConfigMap', NAMES.configMap))['gateplane.hash'];
const provisioned = (api: FakeKubeApi, name: string) =>
  object(api, 'Deployment', proxyObjectNames(name).deployment) !== undefined &&
  object(api, 'ConfigMap', proxyObjectNames(name).configMap) !== undefined &&
  object(api, 'Service', proxyObjectNames(name).service) !== undefined;

describe('cluster controller: recovery', () => {
  let api: FakeKubeApi;
  let runs: Running[];

  beforeEach(async () => {
    api = await startApi();
    api.put(gatewayClass());
    backend(api);
    api.put(gateway());
    api.put(route('web'));
    runs = [];
  });

  afterEach(async () => {
    await Promise.all(runs.map((run) => run.controller.stop()));
    await api.close();
  });

  it('provisions a Gateway created while its watches were cut off', async () => {
    runs.push(await startController(api));
    await eventually(() => provisioned(api, 'gw'), 'the first Gateway is provisioned');

    const heal = api.injectFault({ method: 'GET', status: 503 });
    api.dropWatches();
    api.put(gateway('late'));
    await eventually(() => api.openWatches === 0, 'every watch is down');
    heal();
    await eventually(() => provisioned(api, 'late'), 'the Gateway created while disconnected is provisioned');
  });

  it('re-lists after 410 Gone and provisions what it missed', async () => {
    runs.push(await startController(api));
    await eventually(() => provisioned(api, 'gw'), 'the first Gateway is provisioned');

    const resume = api.pauseWatches();
    api.put(gateway('late'));
    api.compact();
    const mark = api.requests.length;
    api.closeWatches();
    resume();
    await eventually(() => provisioned(api, 'late'), 'the Gateway missed before the 410 is provisioned');
    const relisted = api.requests
      .slice(mark)
      .some(
        (r) =>
          r.method === 'GET' && r.path === '/apis/gateway.networking.k8s.io/v1/gateways' && !r.query.watch,
      );
    expect(relisted, 'Gateways were listed again').to.equal(true);
    expect(provisioned(api, 'gw')).to.equal(true);
  });

  it('hands over to the standby when the leader releases the Lease, without writing status twice', async () => {
    const election = (identity: string): LeaderElectionOptions => ({
      identity,
      lease: { namespace: 'default', name: 'gateplane-leader' },
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 100,
    });
    const a = await startController(api, { leaderElection: election('a') });
    runs.push(a);
    await eventually(() => a.controller.isLeader, 'a leads');
    const b = await startController(api, { leaderElection: election('b') });
    runs.push(b);
    await eventually(() => provisioned(api, 'gw'), 'the leader provisions');
    assignAddress(api, NAMES.service, [{ ip: '203.0.113.7' }]);
    proxyPod(api, 'gw-1', { hash: hashOf(api) });
    const programmed = () => condition(gatewayObject(api), 'Programmed');
    await eventually(() => programmed().status === 'True', 'Programmed');
    await a.controller.idle();
    expect(b.controller.isLeader).to.equal(false);

    // With both running, one change is one write per object: the standby writes nothing.
    let mark = api.requests.length;
    api.put(route('web', { path: '/v2' }));
    await eventually(() => programmed().reason === 'Pending', 'Pending on the new hash');
    await a.controller.idle();
    const paths = () => statusPatches(api, mark).map((r) => r.path.split('/').slice(-3, -1).join('/'));
    expect(paths().sort()).to.deep.equal(['gateways/gw', 'httproutes/web']);

    // The leader leaves; the standby takes over and finds nothing to write.
    mark = api.requests.length;
    const before = meta(object(api, 'ConfigMap', NAMES.configMap)).resourceVersion;
    await a.controller.stop();
    runs.shift();
    const lease = api.get('coordination.k8s.io/v1', 'Lease', 'default', 'gateplane-leader');
    expect((lease?.spec as JsonObject).holderIdentity).to.not.equal('a');
    await eventually(() => b.controller.isLeader, 'b leads');
    await b.controller.idle();
    expect(statusPatches(api, mark)).to.deep.equal([]);
    expect(meta(object(api, 'ConfigMap', NAMES.configMap)).resourceVersion).to.equal(before);

    // The new leader follows the pods.
    proxyPod(api, 'gw-1', { hash: hashOf(api) });
    await eventually(() => programmed().status === 'True', 'Programmed, written by the new leader');
    await b.controller.idle();
    expect(paths()).to.deep.equal(['gateways/gw']);
  });
});
