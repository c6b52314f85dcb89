/**
 * The one place where user-controlled text enters an nginx configuration.
 *
 * nginx's tokenizer (ngx_conf_read_token) ends an unquoted token at whitespace, `;`, `{`, `}` and
 * starts a comment at `#`; inside a double-quoted token only `\` is special (`\"`, `\\`, `\t`, `\r`,
 * `\n`). So wrapping the value in double quotes and escaping `\` and `"` yields exactly one token
 * whose value is the input, whatever else it holds. Checked against the real `nginx -t` with hostile
 * input in test/unit/drivers/nginx/quote.test.ts.
 *
 * A token has two kinds of meaning once read, and the view-model says which one each field has:
 * - a plain string (`server_name`, `location`, file paths, `listen`, header names, map keys), which
 *   nginx takes literally: `nginxQuote(string)`;
 * - a complex value (`proxy_set_header`/`add_header` values, `return` text, map values), where
 *   nginx expands `$name` and has no escape for `$`: an `NginxExpression`, whose literal parts get
 *   every `$` written as `${gp_dollar}` (a `geo` variable that always yields "$", declared in
 *   nginx.conf.hbs; `geo` values, unlike `map` values, are not compiled for variables).
 *
 * What quoting cannot change is how a directive interprets its (single) argument: `location`
 * treats a leading `=`, `~` or `@` as a modifier and `server_name` a leading `~` as a regex. Those
 * rules belong to the directive, so view.ts guards them where it builds those arguments.
 */

/** A piece of a complex value: literal (user) text, one of our variables, or a regex capture. */
export type ExpressionPart =
  { readonly text: string } | { readonly variable: string } | { readonly capture: number };

export interface NginxExpression {
  readonly parts: readonly ExpressionPart[];
}

export const literal = (text: string): NginxExpression => ({ parts: [{ text }] });
export const variable = (name: string): NginxExpression => ({ parts: [{ variable: name }] });

/**
 * NUL cannot live in a C string, and a line break would let text escape a comment and break the
 * line-based mapping from checker errors back to rules (validate.ts). No hostname, path or header
 * value can legitimately hold them, so refuse instead of guessing.
 */
const UNREPRESENTABLE = /[\0\r\n]/;

function refuseUnrepresentable(value: string, what: string): void {
  if (UNREPRESENTABLE.test(value)) {
    throw new Error(`nginx cannot represent ${what} ${JSON.stringify(value)}: it contains NUL, CR or LF`);
  }
}

const escapeQuoted = (value: string): string => value.replace(/[\\"]/g, (c) => `\\${c}`);

/** One double-quoted nginx token holding `value` literally, for arguments nginx does not compile. */
export function nginxQuote(value: string): string {
  refuseUnrepresentable(value, 'the value');
  return `"${escapeQuoted(value)}"`;
}

/** Our variable names only: `${name}` then ends exactly where we say, whatever text follows. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A stand-in for one of our variables before it is numbered: fragments.ts renders a server block
 * once with these and writes the final names in per configuration. NUL never reaches the output
 * otherwise (user text holding it is refused above), so a placeholder cannot be forged.
 */
export const PLACEHOLDER = /^\0\d+\0$/;

function quotePart(part: ExpressionPart): string {
  if ('text' in part) {
    refuseUnrepresentable(part.text, 'the value');
    return escapeQuoted(part.text).replace(/\$/g, '${gp_dollar}');
  }
  if ('variable' in part) {
    if (!VARIABLE_NAME.test(part.variable) && !PLACEHOLDER.test(part.variable))
      throw new Error(`internal: bad nginx variable name ${JSON.stringify(part.variable)}`);
    return `\${${part.variable}}`;
  }
  // nginx reads exactly one digit after `$` as a capture number, so `$1` needs no braces (and
  // `${1}` would name a variable "1").
  if (!Number.isInteger(part.capture) || part.capture < 1 || part.capture > 9)
    throw new Error(`internal: bad regex capture ${part.capture}`);
  return `$${part.capture}`;
}

/** One double-quoted token for a complex value: user text literal, our variables expanded. */
export function nginxQuoteExpression(expression: NginxExpression): string {
  return `"${expression.parts.map(quotePart).join('')}"`;
}

export function isExpression(value: unknown): value is NginxExpression {
  return typeof value === 'object' && value !== null && Array.isArray((value as NginxExpression).parts);
}

/**
 * A `#` comment line. A comment runs to the end of the line whatever it holds, so only line breaks
 * (and NUL) need refusing.
 */
export function nginxComment(text: string): string {
  refuseUnrepresentable(text, 'the comment');
  return `# ${text}`;
}
