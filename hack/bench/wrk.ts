/**
 * wrk (Debian's 4.1.0): keep-alive load, bounded by `-d`, always on loopback. The report is
 * parsed from its text output; `--latency` adds the percentile lines the p99 comes from.
 */
import { execFileSync } from 'node:child_process';
import type { Processes } from './processes.js';

export interface WrkOptions {
  readonly url: string;
  readonly host: string;
  readonly durationS: number;
  readonly connections: number;
  readonly threads?: number;
  readonly cpus?: string;
  readonly timeoutS?: number;
}

export interface WrkResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly socketErrors: {
    readonly connect: number;
    readonly read: number;
    readonly write: number;
    readonly timeout: number;
  };
  /** Requests that failed: non-2xx/3xx answers plus every socket error. */
  readonly failed: number;
}

export const WRK_INSTALL_HINT =
  'wrk is missing: install it with `sudo apt-get install -y wrk` (Debian package wrk 4.1.0).';

/** The wrk binary, or undefined when it is not installed. */
export function findWrk(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function runWrk(processes: Processes, options: WrkOptions): Promise<WrkResult> {
  const url = new URL(options.url);
  if (!url.hostname.startsWith('127.')) throw new Error(`wrk only runs on loopback, not ${url.hostname}`);
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    `--timeout`,
    `${options.timeoutS ?? 2}s`,
    '--latency',
    '-H',
    `Host: ${options.host}`,
    options.url,
  ];
  const wrk = processes.spawn('wrk', 'wrk', args, { cpus: options.cpus, captureStdout: true });
  let stdout = '';
  wrk.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exit = await wrk.exited;
  if (exit.code !== 0)
    throw new Error(`wrk exited with ${exit.code ?? exit.signal}: ${wrk.output()}${stdout}`);
  return parseWrk(stdout);
}

function milliseconds(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 's') return n * 1000;
  if (unit === 'm') return n * 60_000;
  return n;
}

/** The number `pattern`'s first group matches in `text`, or `fallback`. */
function field(text: string, pattern: RegExp, fallback = Number.NaN): number {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : fallback;
}

function latencyMs(text: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\b`, 'm').exec(text);
  return match ? milliseconds(match[1]!, match[2]!) : Number.NaN;
}

export function parseWrk(text: string): WrkResult {
  const requests = field(text, /(\d+) requests in/);
  const rps = field(text, /Requests\/sec:\s+([\d.]+)/);
  if (!Number.isFinite(requests) || !Number.isFinite(rps))
    throw new Error(`cannot read wrk's report:\n${text}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const [connect, read, write, timeout] = [1, 2, 3, 4].map((i) => Number(errors?.[i] ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  const non2xx = field(text, /Non-2xx or 3xx responses: (\d+)/, 0);
  return {
    requests,
    rps,
    p50Ms: latencyMs(text, '50'),
    p99Ms: latencyMs(text, '99'),
    non2xx,
    socketErrors: { connect, read, write, timeout },
    failed: non2xx + connect + read + write + timeout,
  };
}
