/**
 * The `Location` of a redirect rule, as a log-format string for `http-request redirect location`:
 * literal parts go through logFormatText, request parts are `%[sample]` expressions of our own.
 *
 * Everything that depends on the listener (default scheme, default port) is known when rendering,
 * because each listener port has a frontend of its own: a rule served on two ports gets two lines.
 */
import type { Redirect, RedirectPath } from '../../operator/model/types.js';
import { logFormatText } from './quote.js';

export interface ListenerContext {
  readonly port: number;
  /** The scheme clients use to reach this port. */
  readonly scheme: 'http' | 'https';
}

const WELL_KNOWN_PORT = { http: 80, https: 443 } as const;

/** `<scheme>://<hostname>[:<port>]<path>[?<query>]`, each part from the request unless given. */
export function redirectLocation(redirect: Redirect, listener: ListenerContext): string {
  const scheme = redirect.scheme ?? listener.scheme;
  // A scheme without a port means that scheme's usual port, not the one the request came in on.
  const port = redirect.port ?? (redirect.scheme ? WELL_KNOWN_PORT[redirect.scheme] : listener.port);
  const authority = port === WELL_KNOWN_PORT[scheme] ? '' : `:${port}`;
  // txn.host is the Host header lowercased and without its port (frontend.hbs).
  const host = redirect.hostname === undefined ? '%[var(txn.host)]' : logFormatText(redirect.hostname);
  // The query, with its `?`, from the raw request target: empty when there is none. (`%[query]`
  // would print `-` for a request without a query.)
  const query = '%[url,regsub(^[^?]*,)]';
  return `${scheme}://${host}${authority}${redirectPath(redirect.path)}${query}`;
}

function redirectPath(path: RedirectPath | undefined): string {
  if (path === undefined) return '%[path]';
  switch (path.type) {
    case 'ReplaceFullPath':
      // An empty replacement still has to be a path.
      return logFormatText(path.value === '' ? '/' : path.value);
    case 'ReplacePrefixMatch':
      return replacePrefix(path.prefix, path.value);
  }
}

/**
 * The rule matched `prefix` element-wise, so the path is `prefix` or `prefix/...`: cut the prefix's
 * length off the path and put `value` in front (Gateway API's table: `/foo` → `/xyz` turns
 * `/foo/bar` into `/xyz/bar` and `/foo` into `/xyz`; `/xyz/` behaves like `/xyz`). With an empty
 * replacement (`""` or `/`) what is left needs a leading `/` of its own: `/foo/bar` → `/bar`,
 * `/foo` and `/foo/` → `/`. A prefix of `/` matches every path and removes nothing.
 */
function replacePrefix(prefix: string, value: string): string {
  // Model prefixes are ASCII (RFC 3986 path characters), so characters are bytes, as `.` counts them.
  const cut = prefix === '/' ? 0 : prefix.length;
  const replacement = value.replace(/\/+$/, '');
  if (replacement === '') return `/%[path,regsub(^.{${cut}}/?,)]`;
  return cut === 0
    ? `${logFormatText(replacement)}%[path]`
    : `${logFormatText(replacement)}%[path,regsub(^.{${cut}},)]`;
}
