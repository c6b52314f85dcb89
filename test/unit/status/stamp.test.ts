import { expect } from 'chai';
import type { ObjectStatus } from '../../../operator/model/index.js';
import { StatusStamper } from '../../../operator/status/index.js';

const gatewayClass = (status: 'True' | 'False', generation: number): ObjectStatus => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { namespace: '', name: 'gp', generation },
  status: {
    conditions: [
      {
        type: 'Accepted',
        status,
        reason: status === 'True' ? 'Accepted' : 'InvalidParameters',
        message: '',
        observedGeneration: generation,
      },
    ],
  },
});

describe('status: lastTransitionTime', () => {
  it('keeps the time while the status stays the same, and moves it when the status changes', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const stamper = new StatusStamper(() => now);
    const first = stamper.stamp([gatewayClass('True', 1)]);
    now = new Date('2026-01-01T00:01:00Z');
    const same = stamper.stamp([gatewayClass('True', 2)]);
    now = new Date('2026-01-01T00:02:00Z');
    const changed = stamper.stamp([gatewayClass('False', 3)]);
    const time = (s: typeof first): unknown => {
      const status = s[0]?.status;
      return status && 'conditions' in status ? status.conditions[0]?.lastTransitionTime : undefined;
    };
    expect(time(first)).to.equal('2026-01-01T00:00:00Z');
    expect(time(same)).to.equal('2026-01-01T00:00:00Z');
    expect(time(changed)).to.equal('2026-01-01T00:02:00Z');
  });
});
