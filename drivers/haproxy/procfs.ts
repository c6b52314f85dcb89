/**
 * Just enough of Linux /proc to supervise HAProxy's workers, which are children of the master
 * we spawned but not ours: to stop "with no worker left" we must find them, and after the master
 * is gone, tell a worker still alive from an unrelated process that reused its pid.
 */
import { readFileSync, readdirSync } from 'node:fs';

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

/** Live (non-zombie) children of `ppid`. */
export function childrenOf(ppid: number): ProcessRef[] {
  const children: ProcessRef[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === ppid && stat.state !== 'Z')
      children.push({ pid: Number(entry), startTime: stat.startTime });
  }
  return children;
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
