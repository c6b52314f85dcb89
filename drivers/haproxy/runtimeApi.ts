/**
 * The HAProxy 2.6 runtime API on the worker's admin socket (`stats socket <runtimeDir>/admin.sock
 * level admin`, partials/global.hbs), and readers for the answers liveUpdate.ts needs.
 *
 * A session is interactive: `prompt` first, then one command per line. In that mode HAProxy
 * ends every answer, empty or not, with the prompt `\n> `, so one connection carries every
 * batch of a live update and each answer can still be told apart. (Without `prompt`, a session
 * runs one line and an empty answer leaves no trace.)
 */
import net from 'node:net';
import path from 'node:path';

const PROMPT = '\n> ';
const TIMEOUT_MS = 5000;

export function adminSocketPath(runtimeDir: string): string {
  return path.join(runtimeDir, 'admin.sock');
}

/**
 * One interactive session: commands run in the order sent, and each batch resolves with its
 * answers, in order, without the trailing blank line. A live update sends its batches over one
 * session rather than one connection each: every connection costs the proxy and us a wake-up.
 * A batch rejects when the socket fails or closes before answering all of it: a command's
 * success is for the caller to judge from its answer.
 */
export class RuntimeSession {
  private readonly socket: net.Socket;
  private buffer = '';
  private greeted = false;
  private readonly pending: {
    readonly count: number;
    readonly answers: string[];
    readonly resolve: (answers: string[]) => void;
    readonly reject: (error: Error) => void;
  }[] = [];
  private failure: Error | undefined;

  constructor(private readonly socketPath: string) {
    this.socket = net.connect({ path: socketPath });
    this.socket.setEncoding('utf8');
    this.socket.setTimeout(TIMEOUT_MS, () =>
      this.socket.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)),
    );
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.takeAnswers();
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the session ended')));
    // Writes wait for the connection; `prompt` turns on the interactive mode.
    this.socket.write('prompt\n');
  }

  run(commands: readonly string[]): Promise<string[]> {
    // A line break or `;` would smuggle in another command; our commands are built from
    // identifiers and IP literals, so one here is a bug.
    const smuggling = commands.find((command) => /[\n\r;]/.test(command));
    if (smuggling !== undefined)
      return Promise.reject(new Error(`internal: runtime API command ${JSON.stringify(smuggling)}`));
    if (this.failure) return Promise.reject(this.failure);
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ count: commands.length, answers: [], resolve, reject });
      this.socket.write(commands.map((command) => `${command}\n`).join(''));
    });
  }

  /** Ends the session; batches still unanswered reject. */
  close(): void {
    this.socket.end();
  }

  /** `prompt` answers the prompt alone, `\n> `; then every answer ends with it. */
  private takeAnswers(): void {
    for (;;) {
      const at = this.buffer.indexOf(PROMPT);
      if (at < 0) return;
      const text = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + PROMPT.length);
      if (!this.greeted) {
        this.greeted = true;
        continue;
      }
      const batch = this.pending[0];
      if (!batch)
        return this.fail(new Error(`an answer nobody asked for: ${JSON.stringify(text.slice(-500))}`));
      batch.answers.push(text.replace(/\n$/, ''));
      if (batch.answers.length < batch.count) continue;
      this.pending.shift();
      batch.resolve(batch.answers);
    }
  }

  private fail(cause: Error): void {
    this.failure ??= new Error(`haproxy runtime API on ${this.socketPath}`, { cause });
    for (const batch of this.pending.splice(0)) {
      batch.reject(
        new Error(
          `haproxy runtime API on ${this.socketPath}: answered ${batch.answers.length} of ${batch.count} commands`,
          {
            cause,
          },
        ),
      );
    }
    this.socket.destroy();
  }
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
