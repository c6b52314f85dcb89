/**
 * The runtime API session and the readers of its answers (drivers/haproxy/runtimeApi.ts). The
 * session runs against a unix socket server that answers the way HAProxy 2.6 does in prompt
 * mode; the real proxy is in test/integration/drivers/haproxyLive.test.ts.
 */
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { readLiveServers, RuntimeSession } from '../../../../drivers/haproxy/runtimeApi.js';
import { runtimeCommands } from '../../../support/runtimeCommands.js';
import { removeDir, tempRuntimeDir } from './checker.js';

/**
 * A socket that answers each line as HAProxy does after `prompt`, as it arrives: the answer
 * (with its own line end), then "\n> ". It ends the session after answering `answerAtMost`
 * commands, as HAProxy ending a session early. `connections` counts the sessions opened.
 */
async function fakeCli(
  socketPath: string,
  answerAtMost = Infinity,
): Promise<net.Server & { connections: number }> {
  const server = Object.assign(
    net.createServer((socket) => {
      server.connections += 1;
      let input = '';
      let answered = 0;
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        input += chunk;
        let end: number;
        while ((end = input.indexOf('\n')) >= 0) {
          const line = input.slice(0, end);
          input = input.slice(end + 1);
          if (line === 'prompt' || line.startsWith('set server')) socket.write('\n> ');
          else socket.write(`echo: ${line}\n\n> `);
          if (line !== 'prompt' && ++answered >= answerAtMost) return void socket.end();
        }
      });
      socket.on('end', () => socket.end());
    }),
    { connections: 0 },
  );
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return server;
}

describe('haproxy driver: runtime API', () => {
  let dir: string;
  before(async () => (dir = await tempRuntimeDir()));
  after(() => removeDir(dir));

  describe('a session', () => {
    it('sends every command on one connection and returns each answer, empty ones included', async () => {
      const socket = path.join(dir, 'cli-1.sock');
      const server = await fakeCli(socket);
      try {
        const answers = await runtimeCommands(socket, ['show a', 'set server b/s state ready', 'show b']);
        expect(answers).to.deep.equal(['echo: show a', '', 'echo: show b']);
      } finally {
        server.close();
      }
    });

    it('rejects when the session ends before every command was answered', async () => {
      const socket = path.join(dir, 'cli-2.sock');
      const server = await fakeCli(socket, 1);
      try {
        const error: unknown = await runtimeCommands(socket, ['show a', 'show b']).catch((e: unknown) => e);
        expect(error)
          .to.be.instanceOf(Error)
          .with.property('message')
          .that.matches(/answered 1 of 2 commands/);
      } finally {
        server.close();
      }
    });

    it('carries batches one after the other over one connection', async () => {
      const socket = path.join(dir, 'cli-3.sock');
      const server = await fakeCli(socket);
      const session = new RuntimeSession(socket);
      try {
        expect(await session.run(['show a'])).to.deep.equal(['echo: show a']);
        expect(await session.run(['set server b/s state ready', 'show c'])).to.deep.equal([
          '',
          'echo: show c',
        ]);
        expect(await session.run([])).to.deep.equal([]);
        expect(server.connections).to.equal(1);
      } finally {
        session.close();
        server.close();
      }
    });

    it('refuses a command that would smuggle in another one, sending nothing', async () => {
      for (const command of ['show info\nshutdown sessions', 'show info; shutdown sessions']) {
        const error: unknown = await runtimeCommands('/nonexistent.sock', [command]).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(Error).with.property('message').that.contains('internal');
      }
    });
  });

  describe('reading the running backends', () => {
    // Answers of HAProxy 2.6.12, as the runtime API session returns them.
    const state = [
      '1',
      '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port',
      '4 b 1 ep0 127.0.0.1 2 4 1 1 62 1 0 0 8 0 0 0 - 19101 - 0 0 - - 0',
      '4 b 2 ep1 127.0.0.1 0 5 1 1 66 1 0 0 8 0 0 0 - 1 - 0 0 - - 0',
      '4 b 3 ep2 fd00::1 2 0 1 1 66 1 0 0 8 0 0 0 - 8080 - 0 0 - - 0',
      '4 b 4 ep3 10.0.0.4 2 8 1 1 66 1 0 0 8 0 0 0 - 80 - 0 0 - - 0',
    ].join('\n');
    const conn = [
      '# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[2]',
      'b/ep0 4/1 127.0.0.1 19101 - 5000 0 1 1 0 0 -1 0 0 0',
      'b/ep1 4/2 127.0.0.1 1 - 5000 2 3 3 0 0 -1 0 0 0',
    ].join('\n');

    it('reads address, port, whether it serves (maintenance and drain do not) and the requests in flight', () => {
      expect(readLiveServers(state, conn)).to.deep.equal([
        { backend: 'b', name: 'ep0', address: '127.0.0.1', port: 19101, serving: true, used: 0 },
        { backend: 'b', name: 'ep1', address: '127.0.0.1', port: 1, serving: false, used: 2 },
        { backend: 'b', name: 'ep2', address: 'fd00::1', port: 8080, serving: true, used: 0 },
        { backend: 'b', name: 'ep3', address: '10.0.0.4', port: 80, serving: false, used: 0 },
      ]);
    });

    it('refuses an answer that is not a table, such as an unknown backend', () => {
      expect(() => readLiveServers("Can't find backend.", conn)).to.throw('show servers state');
    });
  });
});
