import { expect } from 'chai';
import { parseShowProc } from '../../../../drivers/haproxy/masterCli.js';

// `show proc` as HAProxy 2.6 printed it here, during a reload with one request still in flight.
const DURING_RELOAD = `#<PID>          <type>          <reloads>       <uptime>        <version>
24951           master          1 [failed: 0]   0d00h00m01s     2.6.12-1+deb12u4
# workers
24959           worker          0               0d00h00m01s     2.6.12-1+deb12u4
24960           worker          0               0d00h00m01s     2.6.12-1+deb12u4
# old workers
24953           worker          1               0d00h00m01s     2.6.12-1+deb12u4
# programs

`;

describe('HAProxy master CLI: show proc', () => {
  it('reads the reload counters and the current workers, not the old ones', () => {
    expect(parseShowProc(DURING_RELOAD)).to.deep.equal({ reloads: 1, failed: 0, workers: [24959, 24960] });
  });

  it('reads a master with failed reloads and no old workers', () => {
    const output = DURING_RELOAD.replace('1 [failed: 0]', '3 [failed: 2]').replace(
      /# old workers\n.*\n/,
      '# old workers\n',
    );
    expect(parseShowProc(output)).to.deep.equal({ reloads: 3, failed: 2, workers: [24959, 24960] });
  });

  it('answers undefined for anything that is not show proc', () => {
    expect(parseShowProc('Unknown command.\n')).to.equal(undefined);
  });
});
