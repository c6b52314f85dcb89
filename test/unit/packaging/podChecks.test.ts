import { expect } from 'chai';
import { podChecks, type PodTemplate } from './podChecks.js';

const bare: PodTemplate = {
  metadata: {},
  spec: { containers: [{ name: 'app', image: 'x', volumeMounts: [{ name: 'tmp' }] }] },
};

describe('podChecks', () => {
  it('reports everything a bare container gets wrong', () => {
    expect(podChecks(bare)).to.deep.equal([
      'app: may run as root',
      'app: allows privilege escalation',
      'app: root filesystem is writable',
      'app: does not drop ALL capabilities',
      'app: no RuntimeDefault seccomp profile',
      'app: no cpu requests',
      'app: no memory requests',
      'app: no cpu limits',
      'app: no memory limits',
      'app: no livenessProbe',
      'app: no readinessProbe',
      'app: mounts tmp, which the pod does not define',
    ]);
  });

  it('lets a container named in withoutProbes go without probes', () => {
    expect(podChecks(bare, { withoutProbes: ['app'] })).to.not.include('app: no livenessProbe');
  });
});
