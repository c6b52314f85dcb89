/**
 * Runs `nginx -t` on the staged candidate and traces a failure back to the route rule whose
 * configuration block holds the offending line.
 */
import path from 'node:path';
import { execa } from 'execa';
import { candidatePath, type RenderedConfig, type ValidationResult } from '../driver.js';
import { inCheckDir } from './handover.js';

/** `# route <ns>/<name> rule <i> match <j> [<rule id>]`, as written by view.ts. */
const RULE_COMMENT = /^(\s*)# route \S+ rule \d+ match \d+ \[([^\]\s]+)\]$/;

/**
 * The rule whose block contains 1-based `line` of `config`, if any. A rule block starts at its
 * comment and ends at the first later line that is a `}` at the comment's indentation. Brace
 * counting would be fooled by braces inside quoted paths; indentation cannot be, because quote.ts
 * refuses line breaks, so every line starts with the template's own indentation.
 */
export function ruleIdAtLine(config: string, line: number): string | undefined {
  const lines = config.split('\n');
  for (let index = Math.min(line, lines.length) - 1; index >= 0; index--) {
    const match = RULE_COMMENT.exec(lines[index] ?? '');
    if (!match) continue;
    const close = `${match[1] ?? ''}}`;
    const end = lines.findIndex((text, at) => at > index && text === close);
    return end === -1 || end + 1 >= line ? match[2] : undefined;
  }
  return undefined;
}

/**
 * The checker's error lines (not its closing "test failed" line), without nginx's timestamp and
 * pid prefix, which say nothing to the user.
 */
function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => /\[(emerg|alert|crit|error)\]/.test(line))
    .map((line) => line.replace(/^.*?\[(emerg|alert|crit|error)\] (\d+#\d+: )?/, '[$1] '));
}

/**
 * The line of `file` that `error` is about. nginx ends a located error with ` in <file>:<line>`;
 * the text before may quote user input holding " in " itself (a regex, a path), so look for the
 * known file name from the end rather than parse from the start.
 */
export function errorLine(error: string, file: string): number | undefined {
  const marker = ` in ${file}:`;
  const at = error.lastIndexOf(marker);
  if (at === -1) return undefined;
  const line = error.slice(at + marker.length);
  return /^\d+$/.test(line) ? Number(line) : undefined;
}

export interface ValidateOptions {
  readonly binary: string;
}

export async function validateNginx(
  config: RenderedConfig,
  runtimeDir: string,
  options: ValidateOptions,
): Promise<ValidationResult> {
  const candidate = path.join(runtimeDir, candidatePath(config.main));
  // -q: only errors on stderr. -p: relative file paths (there should be none) resolve in
  // runtimeDir. The handover sockets' paths are relative to the working directory (handover.ts).
  const result = await inCheckDir(runtimeDir, config.hash, (cwd) =>
    execa(options.binary, ['-t', '-q', '-c', candidate, '-p', `${runtimeDir}/`], {
      cwd,
      reject: false,
      stdin: 'ignore',
      // See process.ts: execa's cleanup hook would swallow gateplane's own SIGTERM handling.
      cleanup: false,
    }),
  );
  if (result.exitCode === 0) return { ok: true };
  const errors = errorLines(result.stderr);
  const message =
    errors.length > 0
      ? errors.join('\n')
      : result.stderr.trim() || `nginx -t failed (${result.exitCode ?? result.signal})`;
  const content = config.files.find((file) => file.path === config.main)?.content ?? '';
  const ruleIds = new Set<string>();
  for (const error of errors) {
    const line = errorLine(error, candidate);
    const id = line === undefined ? undefined : ruleIdAtLine(content, line);
    if (id) ruleIds.add(id);
  }
  return { ok: false, message, ruleIds: [...ruleIds] };
}
