/**
 * `npm run bench`: gateplane's benchmark suite (S1, S2, S3, S5, S6 of the performance issue), for
 * both drivers, on real nginx and HAProxy processes and loopback traffic only. Writes
 * `.gateplane/bench/results-<timestamp>.json` and `summary-<timestamp>.md`.
 *
 *   npm run bench -- [--scenario S1,S2,S3,S5,S6] [--driver nginx|haproxy] [--runs N] [--quick] [--keep]
 *
 * Every process started is stopped by its pid at the end, on failure, and on Ctrl-C (a second
 * Ctrl-C kills them at once); a final check looks for any nginx or HAProxy left under the work
 * folder and kills it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DriverName } from '../../operator/model/index.js';
import { startBackend } from './backend.js';
import type { BenchContext, ScenarioResult } from './context.js';
import { describeMachine, loadAverage, sourceFingerprint } from './machine.js';
import { killPids, Processes, proxiesUnder } from './processes.js';
import { Progress } from './progress.js';
import { previousResults, writeResults, type BenchResults } from './report.js';
import { runS1 } from './s1Throughput.js';
import { runS2 } from './s2Propagation.js';
import { runS3 } from './s3RouteEdits.js';
import { runS5 } from './s5Scale.js';
import { runS6 } from './s6EndpointChurn.js';
import { findWrk, WRK_INSTALL_HINT } from './wrk.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = path.join(ROOT, '.gateplane/bench');

const SCENARIOS: Readonly<Record<string, (context: BenchContext) => Promise<ScenarioResult>>> = {
  S1: runS1,
  S2: runS2,
  S3: runS3,
  S5: runS5,
  S6: runS6,
};

const USAGE = `usage: npm run bench -- [options]

  --scenario LIST   comma-separated scenarios to run (default: ${Object.keys(SCENARIOS).join(',')})
  --driver NAME     nginx or haproxy, or a comma-separated list (default: both)
  --runs N          repetitions per scenario (default: 3; 1 with --quick)
  --quick           small sizes for a smoke run (a few minutes): S2 to 300 routes, S5 at 1,000 only
  --profile         also write CPU profiles of the controller during S2's last checkpoint and S5's
                    5,000-route additions (.gateplane/bench/profiles-<timestamp>/), summarized
                    in the Markdown; sampling adds a few percent to the controller's times
  --keep            keep the work folder (manifests, state dirs, proxy configs) after the run
  --help            this text

The full run takes about 30 minutes on 2 vCPUs. Needs nginx, HAProxy, wrk and taskset; traffic
stays on 127.0.60.0/22.`;

interface Flags {
  readonly scenarios: string[];
  readonly drivers: DriverName[];
  readonly runs: number;
  readonly quick: boolean;
  readonly keep: boolean;
  readonly profile: boolean;
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function readFlags(argv: readonly string[]): Flags {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string' },
        driver: { type: 'string' },
        runs: { type: 'string' },
        quick: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return validFlags({
    ...parsed,
    quick: parsed.quick ?? false,
    keep: parsed.keep ?? false,
    profile: parsed.profile ?? false,
  });
}

function validFlags(parsed: {
  scenario?: string;
  driver?: string;
  runs?: string;
  quick: boolean;
  keep: boolean;
  profile: boolean;
}): Flags {
  const scenarios = (parsed.scenario ?? Object.keys(SCENARIOS).join(','))
    .split(',')
    .map((s) => s.trim().toUpperCase());
  const unknown = scenarios.filter((s) => !(s in SCENARIOS));
  if (unknown.length > 0)
    usageError(`unknown scenario ${unknown.join(', ')} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const drivers = (parsed.driver ?? 'nginx,haproxy').split(',').map((d) => d.trim());
  const badDriver = drivers.find((d) => d !== 'nginx' && d !== 'haproxy');
  if (badDriver !== undefined) usageError(`unknown driver ${badDriver} (nginx or haproxy)`);
  const runs = parsed.runs === undefined ? (parsed.quick ? 1 : 3) : Number(parsed.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20)
    usageError('--runs takes a whole number from 1 to 20');
  return {
    scenarios,
    drivers: drivers as DriverName[],
    runs,
    quick: parsed.quick,
    keep: parsed.keep,
    profile: parsed.profile,
  };
}

/** What the bench needs installed; says how to install it rather than installing it. */
function preflight(): void {
  const missing: string[] = [];
  if (findWrk() === undefined) missing.push(WRK_INSTALL_HINT);
  if (!existsSync('/usr/sbin/nginx'))
    missing.push('nginx is missing: `sudo apt-get install -y nginx-light` (or run hack/install-deps.sh).');
  try {
    execFileSync('sh', ['-c', 'command -v haproxy || test -x /usr/sbin/haproxy'], { stdio: 'ignore' });
  } catch {
    missing.push('HAProxy is missing: `sudo apt-get install -y haproxy` (or run hack/install-deps.sh).');
  }
  try {
    execFileSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' });
  } catch {
    missing.push('taskset is missing: `sudo apt-get install -y util-linux`.');
  }
  if (missing.length > 0) {
    process.stderr.write(`The bench cannot run yet:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
    process.exit(1);
  }
}

async function createContext(flags: Flags, startedAt: Date): Promise<BenchContext> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'gpb-'));
  const cpus = os.cpus().length >= 2 ? { proxy: '1', load: '0' } : { proxy: '0', load: '0' };
  const profileDir = flags.profile
    ? path.join(RESULTS_DIR, `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  return {
    ...(profileDir ? { profileDir } : {}),
    processes: new Processes(),
    progress: new Progress(),
    workDir,
    drivers: flags.drivers,
    runs: flags.runs,
    quick: flags.quick,
    cpus,
  };
}

/**
 * Ctrl-C (or SIGTERM): stop every process the bench started, by pid, then exit 130 without
 * results; a second signal kills them at once. Returns whether a signal came.
 */
function onInterrupt(context: BenchContext, cleanUp: () => Promise<number[]>): () => boolean {
  let interrupted = false;
  process.on('exit', () => context.processes.killAllNow());
  const handler = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      process.stderr.write('Second signal: killing every process now.\n');
      context.processes.killAllNow();
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write(
      `\n${signal}: stopping every process the bench started (Ctrl-C again to kill them at once)...\n`,
    );
    void cleanUp().then((strays) => {
      process.stderr.write(
        `Stopped${strays.length > 0 ? `; killed stray proxies ${strays.join(', ')}` : ''}. No results written.\n`,
      );
      process.exit(130);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => interrupted;
}

/** Run each scenario in turn; one that fails is reported and the next one runs. */
async function runScenarios(
  context: BenchContext,
  flags: Flags,
  interrupted: () => boolean,
): Promise<{ results: ScenarioResult[]; failures: { scenario: string; error: string }[] }> {
  const results: ScenarioResult[] = [];
  const failures: { scenario: string; error: string }[] = [];
  await startBackend(context.processes, context.workDir, context.cpus.load);
  for (const id of flags.scenarios) {
    context.progress.say(id, 'starting');
    try {
      results.push(await SCENARIOS[id]!(context));
    } catch (error) {
      if (interrupted()) break;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push({ scenario: id, error: message.split('\n').slice(0, 6).join(' / ') });
      context.progress.say(id, `FAILED: ${message}`);
    }
  }
  return { results, failures };
}

async function main(): Promise<number> {
  const flags = readFlags(process.argv.slice(2));
  preflight();
  process.env.PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
  const startedAt = new Date();
  const context = await createContext(flags, startedAt);
  const { progress, processes, workDir } = context;
  const cleanUp = async (): Promise<number[]> => {
    await processes.stopAll();
    const strays = proxiesUnder(workDir);
    killPids(strays);
    if (!flags.keep) await rm(workDir, { recursive: true, force: true });
    return strays;
  };
  const interrupted = onInterrupt(context, cleanUp);
  const source = sourceFingerprint(ROOT);
  const loadBefore = loadAverage();
  progress.say(
    'bench',
    `load average ${loadBefore.join(' / ')} on ${os.cpus().length} CPUs; work folder ${workDir}`,
  );
  let outcome: Awaited<ReturnType<typeof runScenarios>> | undefined;
  let strays: number[] = [];
  try {
    outcome = await runScenarios(context, flags, interrupted);
  } finally {
    if (!interrupted()) {
      progress.say('bench', 'stopping processes');
      strays = await cleanUp();
    }
  }
  // The signal handler stops everything and exits on its own.
  if (interrupted() || !outcome) return new Promise<number>(() => undefined);
  const { results, failures } = outcome;
  const previous = await previousResults(RESULTS_DIR, flags.quick);
  const finished = new Date();
  const bench: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    durationS: Math.round((finished.getTime() - startedAt.getTime()) / 1000),
    flags: {
      scenarios: flags.scenarios,
      drivers: flags.drivers,
      runs: flags.runs,
      quick: flags.quick,
      profile: flags.profile,
    },
    machine: describeMachine(),
    source,
    load: { before: loadBefore, after: loadAverage() },
    scenarios: results,
    failures,
    strayProcesses: strays,
  };
  const written = await writeResults(RESULTS_DIR, bench, previous);
  progress.say('bench', `results: ${path.relative(ROOT, written.json)}`);
  progress.say('bench', `summary: ${path.relative(ROOT, written.markdown)}`);
  const missed = results.flatMap((s) => s.targets).filter((t) => !t.met);
  progress.say(
    'bench',
    `${results.flatMap((s) => s.targets).length - missed.length} targets met, ${missed.length} missed, ${failures.length} scenarios failed`,
  );
  return failures.length > 0 || strays.length > 0 ? 1 : 0;
}

process.exitCode = await main();
