import { expect } from 'chai';
import { backoffDelay } from '../../../operator/reconcile/backoff.js';

const exact = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0, random: () => 0.5 };

describe('backoffDelay', () => {
  const cases = [
    { name: 'waits the base delay after the first failure', attempt: 1, options: exact, delay: 100 },
    { name: 'doubles the delay for each further failure', attempt: 4, options: exact, delay: 800 },
    { name: 'caps the delay at maxDelayMs', attempt: 5, options: exact, delay: 1000 },
    { name: 'stays at maxDelayMs when 2^attempt overflows', attempt: 5000, options: exact, delay: 1000 },
    {
      name: 'shortens the delay by up to the jitter fraction when random is low',
      attempt: 2,
      options: { ...exact, jitter: 0.5, random: () => 0 },
      delay: 100,
    },
    {
      name: 'lengthens the delay by up to the jitter fraction when random is high',
      attempt: 2,
      options: { ...exact, jitter: 0.5, random: () => 0.999 },
      delay: 300,
    },
    {
      name: 'keeps a jittered delay under maxDelayMs',
      attempt: 10,
      options: { ...exact, jitter: 0.5, random: () => 0.999 },
      delay: 1000,
    },
  ];
  for (const c of cases) it(c.name, () => expect(backoffDelay(c.attempt, c.options)).to.equal(c.delay));
});
