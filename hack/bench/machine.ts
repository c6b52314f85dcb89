/** What the bench ran on, for the report: CPU, memory, kernel, tool versions, load. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTROLLER_CODE } from './controller.js';

export interface Machine {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly os: string;
  readonly node: string;
  readonly nginx: string;
  readonly haproxy: string;
  readonly wrk: string;
}

/** stdout and stderr of `command` together: nginx -v and wrk -v print to stderr, wrk -v exits 1. */
function run(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

export function describeMachine(): Machine {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    os: osName(),
    node: process.version,
    nginx: firstLine(run('/usr/sbin/nginx', ['-v'])).replace(/^nginx version: /, ''),
    haproxy: firstLine(run('haproxy', ['-v'])).replace(/ - https.*$/, ''),
    wrk: firstLine(run('wrk', ['-v'])).replace(/ \[.*$/, ''),
  };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): readonly [number, number, number] {
  const [one, five, fifteen] = os.loadavg();
  return [one ?? 0, five ?? 0, fifteen ?? 0].map((v) => Math.round(v * 100) / 100) as unknown as [
    number,
    number,
    number,
  ];
}

export interface SourceFingerprint {
  /** sha256 (first 12 hex digits) over the path and bytes of every file of operator/, drivers/, templates/. */
  readonly hash: string;
  readonly files: number;
  /** Newest modification time among them: the tree changes while others work in it. */
  readonly newest: string;
  /** How the controller ran it: compiled (dist/ up to date) or from the sources through tsx. */
  readonly controller: 'compiled' | 'sources';
}

/** What gateplane code was measured, without asking git. */
export function sourceFingerprint(root: string): SourceFingerprint {
  const hash = createHash('sha256');
  let files = 0;
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile()) {
        hash
          .update(relative)
          .update('\0')
          .update(readFileSync(path.join(root, relative)))
          .update('\0');
        newest = Math.max(newest, statSync(path.join(root, relative)).mtimeMs);
        files += 1;
      }
    }
  };
  for (const dir of ['operator', 'drivers', 'templates']) walk(dir);
  return {
    hash: hash.digest('hex').slice(0, 12),
    files,
    newest: new Date(newest).toISOString(),
    controller: CONTROLLER_CODE,
  };
}
