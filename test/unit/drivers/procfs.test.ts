import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { confirmServed } from '../../../drivers/deploy.js';
import { statusSocketPath } from '../../../drivers/driver.js';
import { childrenOf, listeningCheck, processRef, type ProcessRef } from '../../../drivers/procfs.js';

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
    expect(listeningCheck([ref])()).to.deep.equal([]);
    await tell(child, 'listen', 'listening');
    expect(listeningCheck([ref])()).to.deep.equal([ref]);
    await tell(child, 'close', 'closed');
    expect(listeningCheck([ref])()).to.deep.equal([]);
  });

  it('counts a process that is gone, or whose pid another process reused, as not listening', async () => {
    await tell(child, 'listen', 'listening');
    expect(listeningCheck([{ pid: ref.pid, startTime: `${ref.startTime}0` }])()).to.deep.equal([]);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(processRef(ref.pid)).to.equal(undefined);
    expect(listeningCheck([ref])()).to.deep.equal([]);
  });

  describe('confirming a reload', () => {
    let dir: string;
    let status: http.Server;

    beforeEach(async () => {
      // The new configuration's status endpoint, answering its hash at once.
      dir = await mkdtemp(path.join(os.tmpdir(), 'gp-confirm-'));
      status = http.createServer((_, response) => response.end('new-hash'));
      await new Promise<void>((resolve) => status.listen(statusSocketPath(dir), resolve));
    });

    afterEach(async () => {
      await new Promise((resolve) => status.close(resolve));
      await rm(dir, { recursive: true, force: true });
    });

    it('waits, once the new hash answers, until the old worker stops listening', async () => {
      await tell(child, 'listen', 'listening'); // the old worker, still accepting
      let done = false;
      const confirmed = confirmServed(dir, 'new-hash', [ref], { timeoutMs: 5000 }).finally(
        () => (done = true),
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(done, 'confirmed while the old worker listens').to.equal(false);
      await tell(child, 'close', 'closed'); // its soft stop: it closes its listening sockets
      expect(await confirmed).to.equal(true);
    });

    it('gives up after the timeout when the old worker keeps listening', async () => {
      await tell(child, 'listen', 'listening');
      expect(await confirmServed(dir, 'new-hash', [ref], { timeoutMs: 200 })).to.equal(false);
    });

    it('does not wait for an old worker that is gone', async () => {
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(await confirmServed(dir, 'new-hash', [ref], { timeoutMs: 200 })).to.equal(true);
    });
  });
});

describe('procfs: the children of a process', () => {
  it('lists running children with their start times, and not their finished ones', async () => {
    const running = spawn('sleep', ['30'], { stdio: 'ignore' });
    const finished = spawn('true', [], { stdio: 'ignore' });
    try {
      await once(finished, 'exit');
      const children = childrenOf(process.pid);
      expect(children.map((c) => c.pid))
        .to.include(running.pid)
        .and.not.include(finished.pid);
      expect(children.find((c) => c.pid === running.pid)).to.deep.equal(processRef(running.pid!));
    } finally {
      running.kill('SIGKILL');
      await once(running, 'exit');
    }
  });
});
