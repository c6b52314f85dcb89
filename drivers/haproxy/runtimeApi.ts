/**
 * The HAProxy 2.6 runtime API on the worker's admin socket (`stats socket <runtimeDir>/admin.sock
 * level admin`, partials/global.hbs), and readers for the answers liveUpdate.ts needs.
 *
 * A batch of commands is one interactive session: `prompt` first, then one command per line.
 * In that mode HAProxy ends every answer, empty or not, with the prompt `\n> `, so one
 * connection carries the whole batch and each answer can still be told apart. (Without
 * `prompt`, a session runs one line and an empty answer leaves no trace.)
 */
import net from 'node:net';
import path from 'node:path';

const PROMPT = '\n> ';
const TIMEOUT_MS = 5000;

export function adminSocketPath(runtimeDir: string): string {
  return path.join(runtimeDir, 'admin.sock');
}

/**
 * Send `commands` in one session and resolve their answers, in order, without the trailing blank
 * line. Rejects when the socket does not answer, or answers fewer commands than it was sent (the
 * session ended early): a command's success is for the caller to judge from its answer.
 */
export function runtimeCommands(socketPath: string, commands: readonly string[]): Promise<string[]> {
  // A line break or `;` would smuggle in another command; our commands are built from
  // identifiers and IP literals, so one here is a bug.
  const smuggling = commands.find((command) => /[\n\r;]/.test(command));
  if (smuggling !== undefined) {
    return Promise.reject(new Error(`internal: runtime API command ${JSON.stringify(smuggling)}`));
  }
  return new Promise((resolve, reject) => {
    let output = '';
    const socket = net.connect({ path: socketPath });
    const fail = (cause: unknown): void =>
      reject(new Error(`haproxy runtime API on ${socketPath}`, { cause }));
    socket.setEncoding('utf8');
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    // HAProxy runs every line it got, answers, and closes once the input is over.
    socket.on('connect', () => socket.end(['prompt', ...commands, ''].join('\n')));
    socket.on('data', (chunk: string) => (output += chunk));
    socket.on('error', fail);
    socket.on('end', () => {
      // `prompt` answers nothing but the prompt itself: "\n> ", then "<answer>\n> " per command.
      const answers = output.split(PROMPT).slice(1, -1);
      if (!output.startsWith(PROMPT) || answers.length !== commands.length) {
        fail(
          `answered ${answers.length} of ${commands.length} commands: ${JSON.stringify(output.slice(-500))}`,
        );
        return;
      }
      resolve(answers.map((answer) => answer.replace(/\n$/, '')));
    });
  });
}

/** One server line of a running backend, as `show servers state` and `show servers conn` see it. */
export interface LiveServer {
  readonly backend: string;
  readonly name: string;
  /** As HAProxy prints it: an IPv4 literal, or an IPv6 literal without brackets. */
  readonly address: string;
  readonly port: number;
  /** Not in maintenance or drain: new requests may go to it. */
  readonly serving: boolean;
  /** Connections in use (carrying a request) right now; see liveUpdate.ts for why it matters. */
  readonly used: number;
}

// srv_admin_state bits (include/haproxy/server-t.h): forced, inherited and resolver maintenance,
// forced and inherited drain. CMAINT (0x04, `disabled` in the configuration) stays set after
// `set server ... state ready` and then means nothing.
const NOT_SERVING = 0x01 | 0x02 | 0x20 | 0x08 | 0x10;

/**
 * `show servers state <backend>` (format version 1) and `show servers conn <backend>` joined by
 * server. Columns are found by the names in each answer's header line.
 */
export function readLiveServers(stateAnswer: string, connAnswer: string): LiveServer[] {
  const used = new Map<string, number>();
  for (const row of table(connAnswer, 'show servers conn')) {
    used.set(field(row, 'bkname/svname'), integer(row, 'used_cur'));
  }
  return table(stateAnswer, 'show servers state').map((row) => {
    const backend = field(row, 'be_name');
    const name = field(row, 'srv_name');
    return {
      backend,
      name,
      address: field(row, 'srv_addr'),
      port: integer(row, 'srv_port'),
      serving: (integer(row, 'srv_admin_state') & NOT_SERVING) === 0,
      used: used.get(`${backend}/${name}`) ?? 0,
    };
  });
}

type Row = ReadonlyMap<string, string>;

/** The rows of an answer made of a `# name name ...` header and space-separated lines. */
function table(answer: string, what: string): Row[] {
  const lines = answer.split('\n').filter((line) => line.trim() !== '');
  const headerAt = lines.findIndex((line) => line.startsWith('# '));
  if (headerAt < 0) throw new Error(`${what}: unexpected answer ${JSON.stringify(answer.slice(0, 200))}`);
  const columns = lines[headerAt]!.slice(2).trim().split(/\s+/);
  return lines.slice(headerAt + 1).map((line) => {
    const values = line.trim().split(/\s+/);
    return new Map(columns.map((column, index) => [column, values[index] ?? '']));
  });
}

function field(row: Row, column: string): string {
  const value = row.get(column);
  if (value === undefined || value === '') throw new Error(`runtime API answer has no ${column} column`);
  return value;
}

function integer(row: Row, column: string): number {
  const value = Number(field(row, column));
  if (!Number.isInteger(value)) throw new Error(`runtime API answer: ${column} is not a number`);
  return value;
}
