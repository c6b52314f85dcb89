/**
 * What the integration test (test/integration/drivers/haproxy.test.ts) expects of the scenario in
 * scenario.ts, as tables: which backend a request reaches, and where a redirect points.
 */
import { HOSTILE_VALUE, ODD_HEADER, ODD_PARAM } from './scenario.js';

/** The ports of the scenario; 80 only when the test may bind it (root). */
export const PORTS = { main: 18080, alt: 8080, low: 80, tls: 18443 } as const;

export interface MatchCase {
  readonly name: string;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | string[]>>;
  /** The echo backend that answers, or the status when none does. */
  readonly backend: string;
}

/** Requests to match.example.com; its rules are in scenario.ts, in precedence order. */
export const MATCH_CASES: readonly MatchCase[] = [
  { name: 'matches the method', path: '/method', method: 'POST', backend: 'b' },
  { name: 'falls through when the method differs', path: '/method', backend: 'a' },
  { name: 'matches a query parameter exactly', path: '/query?animal=whale', backend: 'b' },
  {
    name: 'matches a query parameter by regular expression',
    path: '/query?x=1&animal=dolphin',
    backend: 'c',
  },
  {
    name: 'matches the first occurrence of a query parameter',
    path: '/query?animal=dolphin&animal=whale',
    backend: 'c',
  },
  { name: 'compares query parameter names case-sensitively', path: '/query?ANIMAL=whale', backend: 'a' },
  { name: 'compares query parameter values case-sensitively', path: '/query?animal=Whale', backend: 'a' },
  { name: 'matches a header exactly', path: '/v2/x', headers: { version: 'two' }, backend: 'b' },
  {
    name: 'compares header names case-insensitively',
    path: '/v2/x',
    headers: { VERSION: 'two' },
    backend: 'b',
  },
  {
    name: 'compares header values case-sensitively',
    path: '/v2/x',
    headers: { version: 'TWO' },
    backend: 'a',
  },
  {
    name: 'matches the first line of a repeated header',
    path: '/v2/x',
    headers: { version: ['one', 'two'] },
    backend: 'a',
  },
  {
    name: 'does not split a header value on commas',
    path: '/v2/x',
    headers: { version: 'two,three' },
    backend: 'a',
  },
  { name: 'falls through to a rule with a shorter path without the header', path: '/v2/x', backend: 'a' },
  {
    name: 'falls through to the next rule whose conditions hold',
    path: '/v2/x',
    headers: { version: 'one', color: 'dark-green' },
    backend: 'c',
  },
  {
    name: 'matches a header regular expression anywhere in the value',
    path: '/x',
    headers: { color: 'dark-greeen!' },
    backend: 'c',
  },
  {
    name: 'falls through when a regular expression does not match',
    path: '/x',
    headers: { color: 'red' },
    backend: 'a',
  },
  {
    name: 'compares names and values made of configuration syntax literally',
    path: `/odd?${ODD_PARAM}='$x`,
    headers: { [ODD_HEADER]: HOSTILE_VALUE },
    backend: 'b',
  },
  {
    name: 'needs every condition of a match',
    path: '/odd',
    headers: { [ODD_HEADER]: HOSTILE_VALUE },
    backend: 'a',
  },
];

export interface RedirectCase {
  readonly name: string;
  readonly path: string;
  readonly port: number;
  readonly method?: string;
  /** `<status> <Location>`. */
  readonly expected: string;
}

const { main, alt, low } = PORTS;
const self = 'redirect.example.com';

/** Requests to redirect.example.com (Host with the port the request went to). */
export const REDIRECT_CASES: readonly RedirectCase[] = [
  {
    name: 'redirects to another hostname, keeping path, query and listener port',
    path: '/hostname/a?q=1',
    port: main,
    expected: `302 http://example.org:${main}/hostname/a?q=1`,
  },
  {
    name: 'keeps port 8080',
    path: '/hostname?q',
    port: alt,
    expected: `302 http://example.org:${alt}/hostname?q`,
  },
  {
    name: 'leaves out port 80 for http',
    path: '/hostname?q',
    port: low,
    expected: '302 http://example.org/hostname?q',
  },
  {
    name: 'answers with the status code of the rule',
    path: '/moved',
    port: main,
    expected: `301 http://example.org:${main}/moved`,
  },
  {
    name: 'answers 303',
    path: '/see-other',
    port: main,
    method: 'POST',
    expected: `303 http://${self}:${main}/see-other`,
  },
  {
    name: 'answers 307',
    path: '/temporary',
    port: main,
    method: 'POST',
    expected: `307 http://${self}:${main}/temporary`,
  },
  { name: 'answers 308', path: '/permanent', port: main, expected: `308 http://${self}:${main}/permanent` },
  {
    name: "changes the scheme, leaving out the scheme's own port",
    path: '/scheme?x',
    port: main,
    expected: `302 https://${self}/scheme?x`,
  },
  { name: 'changes the port', path: '/port', port: main, expected: `302 http://${self}:8443/port` },
  {
    name: 'replaces the matched prefix element by element',
    path: '/prefix/x/y?z',
    port: main,
    expected: `302 http://${self}:${main}/replaced/x/y?z`,
  },
  {
    name: 'replaces a prefix that is the whole path',
    path: '/prefix',
    port: main,
    expected: `302 http://${self}:${main}/replaced`,
  },
  {
    name: 'replaces a prefix with /',
    path: '/strip/x',
    port: main,
    expected: `302 http://${self}:${main}/x`,
  },
  {
    name: 'replaces a whole-path prefix with /',
    path: '/strip',
    port: main,
    expected: `302 http://${self}:${main}/`,
  },
  {
    name: 'replaces the full path',
    path: '/full/deep?q',
    port: main,
    expected: `302 http://${self}:${main}/replacement?q`,
  },
];
