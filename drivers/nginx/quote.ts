/**
 * The one place where user-controlled text enters an nginx configuration.
 *
 * nginx's tokenizer (ngx_conf_read_token) ends an unquoted token at whitespace, `;`, `{`, `}` and
 * starts a comment at `#`; inside a double-quoted token only `\` is special (`\"`, `\\`, `\t`, `\r`,
 * `\n`). So wrapping the value in double quotes and escaping `\` and `"` yields exactly one token
 * whose value is the input, whatever else it holds. Checked against the real `nginx -t` with hostile
 * input in test/unit/drivers/nginx/quote.test.ts.
 *
 * What quoting cannot change is how a directive interprets its (single) argument: `location`
 * treats a leading `=`, `~` or `@` as a modifier and `server_name` a leading `~` as a regex. Those
 * rules belong to the directive, so view.ts guards them where it builds those arguments.
 */

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

/**
 * One double-quoted nginx token holding `value` literally, for arguments nginx does not compile
 * for variables (`server_name`, `location`, file paths, `listen`).
 *
 * FIXME: arguments nginx compiles as complex values (`return` text, `add_header`/`proxy_set_header`
 * values) expand `$name`, and nginx has no escape for `$`; when user text first reaches one of
 * those, add a variant that writes `$` as `${gp_dollar}` (a `map` that yields "$").
 */
export function nginxQuote(value: string): string {
  refuseUnrepresentable(value, 'the value');
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A `#` comment line. A comment runs to the end of the line whatever it holds, so only line breaks
 * (and NUL) need refusing.
 */
export function nginxComment(text: string): string {
  refuseUnrepresentable(text, 'the comment');
  return `# ${text}`;
}
