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
 * is a flag). Templates therefore write quoted patterns only after `--`, and view.ts refuses a
 * pattern that is exactly `}`.
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
