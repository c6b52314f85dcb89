import { execa } from 'execa';
import { expect } from 'chai';

// tsx strips types without checking them, so the type check runs as a test of its own:
// the suite's summary line then counts it like any other failure.
describe('typescript', function () {
  this.timeout(120_000);
  it('type-checks the whole project with tsc --noEmit', async () => {
    const result = await execa('npx', ['tsc', '--noEmit', '-p', '.'], { reject: false, all: true });
    expect(result.all, 'tsc output').to.equal('');
    expect(result.exitCode).to.equal(0);
  });
});
