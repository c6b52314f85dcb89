/**
 * Checks a staged candidate with `haproxy -c` and traces a failure back to the model rules
 * whose lines the checker complained about.
 *
 * Not `-c -q`: on 2.6, `-q` silences the alerts too, leaving only the exit code.
 */
import path from 'node:path';
import { execa } from 'execa';
import { candidatePath, type RenderedConfig, type ValidationResult } from '../driver.js';

/** `# route <ns>/<name> rule <i> match <j> [<rule id>]`, as written by partials/frontend.hbs. */
const RULE_COMMENT = /^\s*# route \S+ rule \d+ match \d+ \[([a-z0-9][a-z0-9_.-]*)\]$/;
/**
 * `[ALERT]    (1234) : config : parsing [/dir/haproxy.cfg.next:42] : ...`, or without "parsing"
 * for errors found after a section was read (`config : [/dir/haproxy.cfg.next:7] : 'server ...`).
 */
const ALERT = /^\[ALERT\]\s+\(\d+\) : /;
/** The checker's closing summary, which says nothing the lines before it did not. */
const SUMMARY = /: (Error\(s\) found in configuration file|Fatal errors found in configuration\.)/;

export async function validateHaproxy(
  binary: string,
  config: RenderedConfig,
  runtimeDir: string,
): Promise<ValidationResult> {
  const candidate = path.join(runtimeDir, candidatePath(config.main));
  const result = await execa(binary, ['-c', '-f', candidate], {
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: 60_000,
    // See process.ts: execa's cleanup hook would swallow gateplane's own SIGTERM handling.
    cleanup: false,
  });
  if (result.exitCode === 0) return { ok: true };
  if (result.exitCode === undefined) throw new Error(`run ${binary} -c on ${candidate}`, { cause: result });
  const report = readCheckerOutput(result.all ?? '', candidate);
  const main = config.files.find((file) => file.path === config.main);
  return {
    ok: false,
    message: report.message,
    ruleIds: main ? ruleIdsAtLines(main.content, report.lines) : [],
  };
}

/**
 * The alert lines (with their indented continuation, such as the caret under a bad character)
 * and the line numbers of `file` they name. The pid is dropped so that the same error gives the
 * same message on every run, which keeps route conditions from flapping.
 */
export function readCheckerOutput(output: string, file: string): { message: string; lines: number[] } {
  const kept: string[] = [];
  const lines: number[] = [];
  let inAlert = false;
  for (const line of output.split('\n')) {
    if (ALERT.test(line)) {
      inAlert = !SUMMARY.test(line);
      if (!inAlert) continue;
      kept.push(line.replace(ALERT, '[ALERT] '));
      const at = line.indexOf(`[${file}:`);
      const lineNumber = at < 0 ? undefined : /^(\d+)\]/.exec(line.slice(at + file.length + 2))?.[1];
      if (lineNumber !== undefined) lines.push(Number(lineNumber));
    } else if (inAlert && /^\s/.test(line) && line.trim() !== '') {
      kept.push(line);
    } else {
      inAlert = false;
    }
  }
  const message = kept.length > 0 ? kept.join('\n') : output.trim().split('\n').slice(-20).join('\n');
  return { message, lines };
}

/**
 * The ids of the rules whose blocks hold `lines` (1-based). A block starts at a `# route ...`
 * comment and runs until a blank line, another comment, or a section header: the frontend
 * template writes every line that belongs to a rule inside such a block.
 */
export function ruleIdsAtLines(content: string, lines: readonly number[]): string[] {
  const wanted = new Set(lines);
  const ids = new Set<string>();
  let current: string | undefined;
  content.split('\n').forEach((text, index) => {
    const comment = RULE_COMMENT.exec(text);
    if (comment) current = comment[1];
    else if (text.trim() === '' || text.trim().startsWith('#') || !/^\s/.test(text)) current = undefined;
    if (current !== undefined && wanted.has(index + 1)) ids.add(current);
  });
  return [...ids].sort();
}
