/**
 * The one way a user-controlled string reaches haproxy.cfg: `haquote` turns it into exactly one
 * configuration word whose value, once HAProxy 2.6 has parsed the line, is the original string.
 *
 * HAProxy's line parser (configuration.txt §2.2) offers weak quoting ("..."), strong quoting
 * ('...') and backslash escapes. Strong quoting cannot hold a single quote at all, so we always
 * use weak quoting, where:
 * - `\`, `"` and `$` must be escaped with a backslash (`$` would start an environment variable:
 *   `"a$HOME"` silently becomes `a/root`, and `"$"` before a quote is a parse error);
 * - `#`, `'`, spaces and `;{}` are literal;
 * - other control characters are written `\xNN`, which the parser decodes.
 * What cannot be represented is refused rather than guessed at:
 * - NUL: the parser works on C strings, so `\x00` would cut the word short;
 * - LF and CR: HAProxy could decode `\n`, but no HTTP path or hostname can contain them, so
 *   one showing up here is a bug upstream and must not turn into a new configuration line;
 * - the empty string: most keywords read an empty word as "no more arguments", so `""` would
 *   silently change the meaning of the line instead of matching an empty value.
 *
 * One word is not always one literal: after unquoting, HAProxy still gives meaning to some whole
 * words in some positions (`}` closes an anonymous condition, a leading `-` before ACL patterns
 * is a flag). Templates therefore write quoted patterns only after `--`, and match.ts rewrites or
 * refuses a pattern that is exactly `}`.
 *
 * Some words are parsed a second time once unquoted, and each such level has its own escaping,
 * applied by view code before the word reaches haquote:
 * - `sampleArg`: an argument inside a sample expression, `req.fhdr(<name>,1)`;
 * - `logFormatText`: literal text in a log-format string (`set-header` values, redirect locations).
 */

const UNREPRESENTABLE = /[\0\n\r]/;

export class UnquotableStringError extends Error {
  constructor(
    readonly value: string,
    reason: string,
  ) {
    super(`cannot write ${JSON.stringify(value)} into haproxy.cfg: ${reason}`);
  }
}

export function haquote(value: string): string {
  if (value === '')
    throw new UnquotableStringError(value, 'HAProxy reads an empty word as a missing argument');
  const bad = UNREPRESENTABLE.exec(value);
  if (bad) {
    const name = bad[0] === '\0' ? 'NUL' : bad[0] === '\n' ? 'line feed' : 'carriage return';
    throw new UnquotableStringError(value, `it contains a ${name}`);
  }
  return `"${Array.from(value, escapeChar).join('')}"`;
}

function escapeChar(char: string): string {
  if (char === '\\' || char === '"' || char === '$') return `\\${char}`;
  const code = char.charCodeAt(0);
  // Control characters (the refused ones never get here) and DEL.
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  return char;
}

/**
 * Text for a `#` comment, which HAProxy cannot quote: a comment ends only at the end of the line,
 * so anything without a line break (or NUL) is safe. Used for names the resolver already
 * validated (Kubernetes names) so that users can read where a block came from.
 */
export function commentText(value: string): string {
  if (/[\0\n\r]/.test(value)) throw new UnquotableStringError(value, 'a comment cannot hold a line break');
  return value;
}

/**
 * One argument of a sample fetch or converter, such as the header name in `req.fhdr(<name>,1)`.
 * Once haquote's level is undone, HAProxy splits the expression's arguments with a parser that
 * treats quotes like the line parser but leaves `$`, `#` and `\xNN` alone (configuration.txt
 * §2.2, last part). Inside its double quotes only `"` and `\` need a backslash; `,` and `)` are
 * then part of the argument. The whole expression is one word for haquote afterwards.
 */
export function sampleArg(value: string): string {
  refuseControl(value, 'a sample argument');
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/**
 * Literal text inside a log-format string, the argument of `set-header`, `add-header` and
 * `redirect location`: `%` starts a variable or a `%[sample]` there, and `%%` is a literal `%`.
 * Nothing else is special at that level (spaces are kept as they are).
 */
export function logFormatText(value: string): string {
  refuseControl(value, 'log-format text');
  return value.replace(/%/g, '%%');
}

/** The second-level parsers work on C strings and lines too: same refusals as haquote. */
function refuseControl(value: string, what: string): void {
  if (UNREPRESENTABLE.test(value))
    throw new UnquotableStringError(value, `${what} cannot hold NUL, CR or LF`);
}
