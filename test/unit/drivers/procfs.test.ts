import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { processRef, stillListening, type ProcessRef } from '../../../drivers/procfs.js';

/** A child that listens on loopback when told 'listen' and closes when told 'close'. */
const LISTENER = `
const server = require('node:net').createServer();
process.on('message', (m) => {
  if (m === 'listen') server.listen(0, '127.0.0.1', () => process.send('listening'));
  if (m === 'close') server.close(() => process.send('closed'));
});
process.send('ready');
`;

async function tell(child: ChildProcess, message: string, answer: string): Promise<void> {
  const reply = once(child, 'message');
  child.send(message);
  expect((await reply)[0]).to.equal(answer);
}

describe('procfs: who still accepts connections', () => {
  let child: ChildProcess;
  let ref: ProcessRef;

  beforeEach(async () => {
    child = spawn(process.execPath, ['-e', LISTENER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await once(child, 'message');
    ref = processRef(child.pid!)!;
  });

  afterEach(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('sees a process hold a listening TCP socket, and no longer once it closed it', async () => {
    expect(stillListening([ref])).to.deep.equal([]);
    await tell(child, 'listen', 'listening');
    expect(stillListening([ref])).to.deep.equal([ref]);
    await tell(child, 'close', 'closed');
    expect(stillListening([ref])).to.deep.equal([]);
  });

  it('counts a process that is gone, or whose pid another process reused, as not listening', async () => {
    await tell(child, 'listen', 'listening');
    expect(stillListening([{ pid: ref.pid, startTime: `${ref.startTime}0` }])).to.deep.equal([]);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(processRef(ref.pid)).to.equal(undefined);
    expect(stillListening([ref])).to.deep.equal([]);
  });
});
