/**
 * Runs `gateplane standalone` as a real child process for integration tests, and the helpers
 * those tests share: reading the status file, waiting with the conformance suite's
 * eventual-consistency rule, and finding proxy processes left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin/gateplane.js');

export interface StandaloneRun {
  readonly stateDir: string;
  readonly statusFile: string;
  readonly child: ChildProcess;
  /** Everything written to stderr so far (the logs). */
  logs(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StandaloneArgs {
  readonly paths: readonly string[];
  readonly driver: 'nginx' | 'haproxy';
  readonly addressPool: string;
  readonly watch?: boolean;
  readonly extraArgs?: readonly string[];
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `gateplane-${prefix}-`));
}

export async function startStandalone(args: StandaloneArgs): Promise<StandaloneRun> {
  const work = await tempDir('standalone');
  const stateDir = path.join(work, 'state');
  const statusFile = path.join(work, 'status.json');
  const argv = [
    BIN,
    'standalone',
    ...args.paths.flatMap((p) => ['-f', p]),
    '--driver',
    args.driver,
    '--state-dir',
    stateDir,
    '--status-file',
    statusFile,
    '--address-pool',
    args.addressPool,
    '--log-format',
    'json',
    ...(args.watch ? ['--watch'] : []),
    ...(args.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: ROOT });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    stateDir,
    statusFile,
    child,
    logs: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface StatusItem {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly namespace?: string; readonly name: string; readonly generation: number };
  // Tests read arbitrary status fields and assert on them.
  readonly status: Record<string, unknown> & {
    readonly conditions?: readonly Condition[];
    readonly addresses?: readonly { type: string; value: string }[];
    readonly listeners?: readonly {
      name: string;
      attachedRoutes: number;
      conditions: readonly Condition[];
      supportedKinds: readonly unknown[];
    }[];
    readonly parents?: readonly {
      parentRef: Record<string, unknown>;
      controllerName: string;
      conditions: readonly Condition[];
    }[];
  };
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

export async function readStatus(file: string): Promise<readonly StatusItem[]> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (!text) return [];
  return (JSON.parse(text) as { items: StatusItem[] }).items;
}

export function findStatus(
  items: readonly StatusItem[],
  kind: string,
  name: string,
  namespace?: string,
): StatusItem | undefined {
  return items.find(
    (i) =>
      i.kind === kind &&
      i.metadata.name === name &&
      (namespace === undefined || i.metadata.namespace === namespace),
  );
}

export function condition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Poll `probe` until it returns a value (not undefined), or fail with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The conformance suite's rule (reference §3.4): `check` must pass 3 times in a row within 30 s;
 * a failure resets the streak. The pause after a failure is shorter than upstream's 1 s, which
 * only makes the test finish sooner.
 */
export async function eventually(
  what: string,
  check: () => Promise<void>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let streak = 0;
  let last: unknown;
  while (streak < 3) {
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not 3 consecutive successes within ${timeoutMs} ms; last failure: ${String(last)}`,
      );
    try {
      await check();
      streak += 1;
    } catch (error) {
      streak = 0;
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** pids of every nginx or HAProxy process whose command line mentions `dir`. */
export async function proxyProcessesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (/(nginx|haproxy)/.test(cmdline) && cmdline.includes(dir)) pids.push(Number(entry));
  }
  return pids;
}
