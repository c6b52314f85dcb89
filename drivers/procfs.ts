/**
 * Just enough of Linux /proc to supervise a proxy's workers, which are children of the master we
 * spawned but not ours:
 * - to stop "with no worker left" we must find them, and after the master is gone, tell a worker
 *   still alive from an unrelated process that reused its pid;
 * - after a reload, both nginx (for a fixed 100 ms) and HAProxy (until the old worker handles its
 *   soft stop) run old and new workers side by side, all accepting on the same sockets: the new
 *   configuration serves every new connection only once the old workers closed their listening
 *   sockets, which is what they do on shutdown while still finishing requests in flight.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcessRef {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat, in clock ticks since boot: with the pid, a unique identity. */
  readonly startTime: string;
}

interface Stat {
  readonly ppid: number;
  readonly state: string;
  readonly startTime: string;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name, field 2, sits in parentheses and may itself hold spaces or parentheses:
  // count fields from the last closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, ppid] = fields;
  const startTime = fields[19];
  if (state === undefined || ppid === undefined || startTime === undefined) return undefined;
  return { ppid: Number(ppid), state, startTime };
}

/** The process now running as `pid`, if any (a zombie does not run). */
export function processRef(pid: number): ProcessRef | undefined {
  const stat = readStat(pid);
  return stat && stat.state !== 'Z' ? { pid, startTime: stat.startTime } : undefined;
}

/** Live (non-zombie) children of `ppid`. */
export function childrenOf(ppid: number): ProcessRef[] {
  const children: ProcessRef[] = [];
  for (const pid of candidateChildren(ppid)) {
    const stat = readStat(pid);
    if (stat && stat.ppid === ppid && stat.state !== 'Z') children.push({ pid, startTime: stat.startTime });
  }
  return children;
}

/**
 * The pids that may be children of `ppid`: those its threads' `children` files list (one file
 * read per thread; a master process has one), or, where the kernel has no such files, every
 * process (a read of every /proc/<pid>/stat, a few ms with a hundred processes, on the path of
 * every reload).
 */
function candidateChildren(ppid: number): number[] {
  const listed: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${ppid}/task`)) {
      const text = readFileSync(`/proc/${ppid}/task/${task}/children`, 'utf8');
      for (const pid of text.split(' ')) if (/^\d+$/.test(pid)) listed.push(Number(pid));
    }
    return listed;
  } catch {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  }
}

/** Whether this very process still runs; a zombie has finished and only awaits its reaper. */
export function isRunning(ref: ProcessRef): boolean {
  const stat = readStat(ref.pid);
  return stat !== undefined && stat.startTime === ref.startTime && stat.state !== 'Z';
}

export function killIfRunning(ref: ProcessRef, signal: NodeJS.Signals): void {
  if (!isRunning(ref)) return;
  try {
    process.kill(ref.pid, signal);
  } catch {
    // exited between the check and the signal
  }
}

/** Socket inodes in the LISTEN state (TCP state 0A) of this network namespace, IPv4 and IPv6. */
function listeningInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && fields[9] !== undefined) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** Inodes of the sockets `ref` holds; none when it is gone or we may not read its descriptors. */
function socketInodes(ref: ProcessRef): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${ref.pid}/fd`);
  } catch {
    return [];
  }
  if (!isRunning(ref)) return [];
  const inodes: string[] = [];
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${ref.pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.push(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/**
 * A check, to call repeatedly, of which of `refs` still run and hold a listening TCP socket. The
 * table of listening sockets is read at most once, and only when one of `refs` holds a socket at
 * all: with many connections in TIME_WAIT it is megabytes, and the sockets a retiring worker
 * listens on were all open before the check began.
 */
export function listeningCheck(refs: readonly ProcessRef[]): () => ProcessRef[] {
  let listening: Set<string> | undefined;
  return () => {
    const holding = refs
      .map((ref) => ({ ref, sockets: socketInodes(ref) }))
      .filter(({ sockets }) => sockets.length > 0);
    if (holding.length === 0) return [];
    const table = (listening ??= listeningInodes());
    return holding.filter(({ sockets }) => sockets.some((inode) => table.has(inode))).map(({ ref }) => ref);
  };
}
