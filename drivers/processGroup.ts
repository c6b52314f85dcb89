/**
 * A proxy's master runs as the leader of its own process group, and its workers inherit the
 * group. When the master dies without stopping its workers (SIGKILL, a crash), the workers live
 * on, holding the listening sockets, and nothing names them any more but that group: so when a
 * master exits for any reason, whatever is left of its group is killed. On a graceful stop the
 * group is already empty.
 */

/** Spawn options that make the child the leader of a new process group. */
export const OWN_PROCESS_GROUP = { detached: true } as const;

export function killProcessGroup(leader: number): void {
  try {
    process.kill(-leader, 'SIGKILL');
  } catch {
    // ESRCH: the group is empty, nothing left behind.
  }
}
