/**
 * The HAProxy master CLI (`-S <runtimeDir>/master.sock`). On 2.6 the `reload` command answers
 * nothing, so a reload is confirmed by the master's counters in `show proc`:
 *
 *   #<PID>          <type>          <reloads>       <uptime>        <version>
 *   8839            master          2 [failed: 1]   0d00h00m03s     2.6.12-1+deb12u4
 *   # workers
 *   8850            worker          0               0d00h00m01s     2.6.12-1+deb12u4
 *   # old workers
 *   8841            worker          1               0d00h00m03s     2.6.12-1+deb12u4
 *
 * `reloads` counts every re-execution of the master, `failed` those whose configuration did not
 * load (the old workers then keep serving).
 */
import net from 'node:net';

export interface MasterCounters {
  readonly reloads: number;
  readonly failed: number;
  /** pids of the current workers (not the old ones still finishing their requests). */
  readonly workers: readonly number[];
}

/** Send one command; resolves the whole answer, or undefined when the master does not answer. */
export function masterCommand(
  socketPath: string,
  command: string,
  timeoutMs = 2000,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ path: socketPath });
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk: string) => (answer += chunk));
    // The master closes a non-interactive session after its answer.
    socket.on('end', () => resolve(answer));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
  });
}

export function parseShowProc(output: string): MasterCounters | undefined {
  const master = /^\d+\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/m.exec(output);
  if (!master) return undefined;
  const section = /^# workers\n((?:\d+\s+worker\b.*\n?)*)/m.exec(output)?.[1] ?? '';
  const workers = [...section.matchAll(/^(\d+)\s+worker\b/gm)].map((line) => Number(line[1]));
  return { reloads: Number(master[1]), failed: Number(master[2]), workers };
}

export async function readMasterCounters(socketPath: string): Promise<MasterCounters | undefined> {
  const answer = await masterCommand(socketPath, 'show proc');
  return answer === undefined ? undefined : parseShowProc(answer);
}
