/**
 * Header modifiers (set / add / remove) as nginx directives.
 *
 * Request headers, with `proxy_set_header`, whose name nginx compares ignoring case with the
 * client's headers: a client header with a listed name is not passed on, so
 * - set:    one line with the new value;
 * - add:    two lines, the client's first value (`$http_<name>`) then the new one; a line whose
 *           value is empty is not sent, so without a client value only the new one goes. The
 *           backend sees `old` and `new` lines, which the model allows. Divergence: when the
 *           client sent the header several times, only its first value survives (nginx 1.22);
 * - remove: an empty value, which nginx does not send.
 * `proxy_set_header` in a location replaces every inherited one, so a location that changes any
 * header repeats the http-level defaults (DEFAULT_REQUEST_HEADERS), except one the route changes.
 *
 * Response headers: `proxy_hide_header` drops the backend's header (names ignore case), and
 * `add_header ... always` adds a line whatever the status: set = hide + add, add = add,
 * remove = hide. On answers nginx writes itself (redirects) there is nothing to hide, and nginx's
 * own headers (Server, Date, Content-Length, Location) cannot be removed that way.
 */
import type { HeaderModifier } from '../../operator/model/types.js';
import { literal, variable, type NginxExpression } from './quote.js';

export interface HeaderLine {
  readonly name: string;
  readonly value: NginxExpression;
}

/**
 * The http-level `proxy_set_header` lines every location inherits unless it sets its own:
 * keep-alive to upstreams needs HTTP/1.1 and no `Connection: close`, and the Host header goes
 * through as the client sent it, port included (`$http_host`, not `$host`).
 */
export const DEFAULT_REQUEST_HEADERS: readonly HeaderLine[] = [
  { name: 'Host', value: variable('http_host') },
  { name: 'Connection', value: literal('') },
];

/** A header modifier that changes nothing. */
export const isEmpty = (modifier: HeaderModifier): boolean =>
  modifier.set.length + modifier.add.length + modifier.remove.length === 0;

/**
 * `proxy_set_header` lines for a location; empty means "inherit the defaults". `readHeader` names
 * the variable holding the client's first value of a header (conditions.ts).
 */
export function requestHeaderLines(
  modifier: HeaderModifier,
  readHeader: (name: string) => string,
): HeaderLine[] {
  if (isEmpty(modifier)) return [];
  const touched = new Set(
    [...modifier.set, ...modifier.add]
      .map((h) => h.name)
      .concat(modifier.remove)
      .map((n) => n.toLowerCase()),
  );
  return [
    ...DEFAULT_REQUEST_HEADERS.filter((line) => !touched.has(line.name.toLowerCase())),
    ...modifier.set.map(({ name, value }) => ({ name, value: literal(value) })),
    ...modifier.add.flatMap(({ name, value }) => [
      { name, value: variable(readHeader(name)) },
      { name, value: literal(value) },
    ]),
    ...modifier.remove.map((name) => ({ name, value: literal('') })),
  ];
}

export interface ResponseHeaderView {
  /** `proxy_hide_header` names. */
  readonly hideHeaders: readonly string[];
  /** `add_header ... always` lines. */
  readonly addHeaders: readonly HeaderLine[];
}

export function responseHeaderLines(modifier: HeaderModifier): ResponseHeaderView {
  return {
    hideHeaders: [...modifier.set.map((h) => h.name), ...modifier.remove],
    addHeaders: [...modifier.set, ...modifier.add].map(({ name, value }) => ({
      name,
      value: literal(value),
    })),
  };
}
