/**
 * Which rule serves a request: the conditions of the `set-var(txn.rule)` line of each rule, and
 * the hostname tests shared by virtual host selection (Host header) and certificate selection
 * (SNI, tls.ts).
 *
 * A rule's line holds all of its conditions (virtual host, path, method, headers, query), so a
 * request whose headers do not match falls through to the next line, which may be a rule with
 * another, shorter path: exactly "the first rule whose match holds wins".
 *
 * Headers and query parameters are read once per request into variables (`txn.h<i>`, `txn.q<i>`)
 * by `inputs`: an anonymous condition on `url_param(name)` would try every occurrence of a
 * repeated parameter, while `set-var` keeps the first one, which is what Gateway API matches.
 * Header values come from `req.fhdr(<name>,1)`: the first line of the header, not split on commas.
 */
import type { PathMatch, RouteRule, ValueMatch } from '../../operator/model/types.js';
import { sampleArg } from './quote.js';
import type { RuleLabel } from './view.js';

export interface SelectionView extends RuleLabel {
  readonly vhost: number;
  readonly conditions: readonly ConditionView[];
}

/** `{ <fetch> -m <method> [-- <pattern>] }`. */
export interface ConditionView {
  /** Built from our own words and variable names only: written raw. */
  readonly fetch: string;
  readonly method: string;
  readonly hasPattern: boolean;
  /** user */
  readonly pattern: string;
}

/** `http-request set-var(<variable>) <fetch>`, once per request and per header or parameter name. */
export interface InputView {
  readonly variable: string;
  /** user: a sample expression holding a header or parameter name. */
  readonly fetch: string;
}

/** The variables that hold the first value of each header and query parameter a port's rules test. */
export class Inputs {
  private readonly headers = new Map<string, string>();
  private readonly params = new Map<string, string>();
  private readonly views: InputView[] = [];

  /** Header names arrive lowercased from the resolver; req.fhdr compares them case-insensitively. */
  header(name: string): string {
    return this.variable(this.headers, name.toLowerCase(), 'h', `req.fhdr(${sampleArg(name)},1)`);
  }

  /** Query parameter names are case-sensitive, as url_param compares them. */
  param(name: string): string {
    return this.variable(this.params, name, 'q', `url_param(${sampleArg(name)})`);
  }

  list(): readonly InputView[] {
    return this.views;
  }

  private variable(known: Map<string, string>, name: string, prefix: string, fetch: string): string {
    let variable = known.get(name);
    if (variable === undefined) {
      variable = `txn.${prefix}${known.size}`;
      known.set(name, variable);
      this.views.push({ variable, fetch });
    }
    return variable;
  }
}

export function selectionView(
  label: RuleLabel,
  rule: RouteRule,
  vhost: number,
  inputs: Inputs,
): SelectionView {
  const { match } = rule;
  const conditions: ConditionView[] = [];
  const path = pathCondition(match.path);
  if (path) conditions.push(path);
  if (match.method !== undefined) conditions.push(literal('method', 'str', match.method));
  for (const header of match.headers) conditions.push(valueCondition(inputs.header(header.name), header));
  for (const param of match.queryParams) conditions.push(valueCondition(inputs.param(param.name), param));
  return { ...label, vhost, conditions };
}

function pathCondition(path: PathMatch): ConditionView | undefined {
  switch (path.type) {
    case 'Exact':
      return literal('path', 'str', path.value);
    case 'PathPrefix':
      // PathPrefix `/` matches every path: no condition at all.
      if (path.value === '/') return undefined;
      // `/foo` must match `/foo` and `/foo/...`, never `/foobar`. With a `/` appended, the path
      // begins with `/foo/` in exactly those cases (`/foo/` becomes `/foo//`). One condition
      // rather than `== /foo || begins with /foo/`, whose OR would bind looser than the other
      // conditions of the line. The resolver trims a trailing slash from `value`.
      return literal('path,concat(/)', 'beg', `${path.value}/`);
  }
}

/** Exact is case-sensitive (`-m str`), RegularExpression an unanchored PCRE (`-m reg`). */
function valueCondition(variable: string, match: ValueMatch): ConditionView {
  const fetch = `var(${variable})`;
  if (match.value === '') {
    // haquote cannot write an empty pattern; the model forbids empty values, but mean the same.
    return match.type === 'Exact'
      ? { fetch, method: 'len', hasPattern: true, pattern: '0' }
      : { fetch, method: 'found', hasPattern: false, pattern: '' };
  }
  return literal(fetch, match.type === 'Exact' ? 'str' : 'reg', match.value);
}

/**
 * A condition on `pattern`, which follows `--` so that it cannot be read as a flag. HAProxy still
 * closes the braces at the first word that is exactly `}`, quoted or not: such a pattern is
 * written as an equivalent regular expression. Paths start with `/` and hostnames are DNS names,
 * so a prefix or suffix `}` only comes from a broken model.
 */
export function literal(fetch: string, method: string, pattern: string): ConditionView {
  if (pattern === '}') {
    if (method === 'str') return { fetch, method: 'reg', hasPattern: true, pattern: '^\\}$' };
    if (method === 'reg') return { fetch, method: 'reg', hasPattern: true, pattern: '\\}' };
    throw new Error(`internal: a ${method} pattern cannot be "}"`);
  }
  return { fetch, method, hasPattern: true, pattern };
}

/**
 * How a virtual host's hostname is tested, against the Host header or the SNI, both lowercased:
 * nothing for the catch-all `*`; a suffix match on `.example.com` for `*.example.com`, which
 * matches one or more labels before the suffix and never `example.com` itself; else equality.
 */
export function hostnameCondition(fetch: string, hostname: string): ConditionView | undefined {
  const lower = hostname.toLowerCase();
  if (lower === '*') return undefined;
  if (lower.startsWith('*.')) return literal(fetch, 'end', lower.slice(1));
  return literal(fetch, 'str', lower);
}
