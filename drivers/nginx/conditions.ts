/**
 * Request conditions (method, headers, query parameters) as nginx `map` blocks, without njs.
 *
 * Each condition of a rule becomes a map whose variable is "1" when it holds and "0" otherwise.
 * A location whose candidate rules have conditions gets a dispatch map: its input concatenates
 * the condition variables of every conditional candidate (one character each, so no separator is
 * needed), and one regex per candidate, in precedence order, checks that candidate's slice is all
 * "1"; the value is the candidate's named location (`@<rule id>`), or "" when none holds, which
 * falls through to the location's last, unconditional candidate (or 404). See locations.ts for
 * which rules are candidates and servers.ts for the dispatch itself.
 *
 * Value comparisons use case-sensitive regexes only, even for Exact matches, because nginx
 * compares a map's string keys ignoring case; an Exact value is escaped and anchored.
 *
 * Known differences from the model, all for inputs nginx does not tell apart:
 * - an absent header (or query parameter) reads as the empty string, so a regex that matches ""
 *   (like `.*`) also matches a request without it (Exact values are never empty);
 * - `$http_<name>` folds `-` and `_` together (`x_a` also reads an `X-A` header), and joins
 *   repeated `Cookie` (with "; ") and `X-Forwarded-For` (with ", ") lines instead of taking the
 *   first one; every other header gives its first line, as the model asks (nginx 1.22);
 * - a header name with characters other than letters, digits, `-` and `_` has no `$http_`
 *   variable at all: see `unsupported`.
 */
import type { HttpMethod, RequestMatch, RouteRule, ValueMatch } from '../../operator/model/types.js';
import { bare, type DeclarationSink as Declarations } from './declarations.js';
import { literal, variable, type NginxExpression } from './quote.js';

export function isConditional(match: RequestMatch): boolean {
  return match.method !== undefined || match.headers.length > 0 || match.queryParams.length > 0;
}

/**
 * The PCRE source matching `value` literally. PCRE's metacharacters get a backslash (before a
 * non-alphanumeric character it always means "this character"), and so do `#` and whitespace,
 * in case a pattern ever runs in extended mode; every other byte stands for itself.
 */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}#\s]/g, (c) => `\\${c}`);
}

/** A map key testing a value: `~` makes it a case-sensitive regex. */
function valueKey(match: Pick<ValueMatch, 'type' | 'value'>): string {
  if (match.type === 'Exact') return `~^${regexLiteral(match.value)}\\z`;
  // nginx reads `~*` as "case-insensitive regex", so a pattern starting with `*` would lose its
  // first character and compile; `~*` + pattern hands PCRE the pattern unchanged instead, which
  // it refuses like any leading quantifier, and nginx -t reports the rule.
  return match.value.startsWith('*') ? `~*${match.value}` : `~${match.value}`;
}

/** The nginx variable holding the first `name` header line (names ignore case), if there is one. */
export function headerVariable(name: string): string | undefined {
  const lower = name.toLowerCase();
  return /^[a-z0-9_-]+$/.test(lower) ? `http_${lower.replace(/-/g, '_')}` : undefined;
}

/**
 * For what nginx cannot do: a map that `nginx -t` refuses on purpose, on lines under the rule's
 * comment, so validate.ts reports the rule (an unknown variable would be reported without a line)
 * and the message says why: `pcre2_compile() failed: missing closing parenthesis in
 * "(?#<reason>)("`. The trailing `(` never closes, whatever the reason holds. Returns the variable.
 */
export function unsupported(reason: string, comment: string, declarations: Declarations): string {
  return declarations.once(`unsupported:${comment}:${reason}`, () =>
    bare(
      declarations.map('cond', {
        comment,
        input: literal(''),
        entries: [{ key: `~(?#${reason})(`, value: literal('0') }],
        fallback: literal('0'),
      }),
    ),
  );
}

/** The variable holding the first `name` header line, or an `unsupported` one. */
export function readHeader(name: string, comment: string, declarations: Declarations): string {
  return (
    headerVariable(name) ?? unsupported(`nginx has no variable for the header ${name}`, comment, declarations)
  );
}

const ONE = literal('1');
const ZERO = literal('0');

interface Condition {
  readonly input: NginxExpression;
  readonly key: string;
}

function methodCondition(method: HttpMethod): Condition {
  return { input: variable('request_method'), key: valueKey({ type: 'Exact', value: method }) };
}

function headerCondition(match: ValueMatch, comment: string, declarations: Declarations): Condition {
  return { input: variable(readHeader(match.name, comment, declarations)), key: valueKey(match) };
}

/**
 * The variable holding the raw value (not percent-decoded, like the path) of the first `name`
 * query parameter. nginx's `$arg_<name>` compares names ignoring case and cannot hold `-` or `.`,
 * so read the raw query string instead: skip every parameter that is not `name=`, then capture.
 * One map per name, shared by every rule: an escaped literal cannot fail `nginx -t`.
 */
function queryVariable(name: string, declarations: Declarations): string {
  return declarations.once(`arg:${name}`, () => {
    const n = regexLiteral(name);
    return bare(
      declarations.map('arg', {
        comment: `first value of the query parameter ${name}`,
        input: variable('args'),
        entries: [{ key: `~^(?:(?!${n}=)[^&]*&)*${n}=([^&]*)`, value: { parts: [{ capture: 1 }] } }],
        fallback: literal(''),
      }),
    );
  });
}

function conditionsOf(rule: RouteRule, declarations: Declarations, comment: string): Condition[] {
  const { method, headers, queryParams } = rule.match;
  return [
    ...(method === undefined ? [] : [methodCondition(method)]),
    ...headers.map((match) => headerCondition(match, comment, declarations)),
    ...queryParams.map((match) => ({
      input: variable(queryVariable(match.name, declarations)),
      key: valueKey(match),
    })),
  ];
}

/**
 * The variables (without `$`) that are "1" when each condition of `rule` holds, declared once per
 * rule: a rule id has the same match wherever it appears.
 */
export function conditionVariables(
  rule: RouteRule,
  comment: string,
  declarations: Declarations,
): readonly string[] {
  return declarations.onceList(`cond:${rule.id}`, () =>
    conditionsOf(rule, declarations, comment).map((condition) =>
      bare(
        declarations.map('cond', {
          comment,
          input: condition.input,
          entries: [{ key: condition.key, value: ONE }],
          fallback: ZERO,
        }),
      ),
    ),
  );
}

/**
 * The variable (with `$`) naming the first conditional candidate whose conditions all hold, as
 * `@<rule id>`, or "" when none does; one map per distinct candidate list.
 */
export function dispatchVariable(
  candidates: readonly RouteRule[],
  commentOf: (rule: RouteRule) => string,
  declarations: Declarations,
): string {
  return declarations.once(`pick:${candidates.map((rule) => rule.id).join(' ')}`, () => {
    const slices = candidates.map((rule) => conditionVariables(rule, commentOf(rule), declarations));
    let offset = 0;
    const entries = candidates.map((rule, i) => {
      const width = slices[i]?.length ?? 0;
      const key = `~^${'.'.repeat(offset)}${'1'.repeat(width)}`;
      offset += width;
      return { key, value: literal(`@${rule.id}`) };
    });
    return declarations.map('pick', {
      comment: `dispatch: ${candidates.map((rule) => rule.id).join(', ')}`,
      input: { parts: slices.flat().map((name) => ({ variable: name })) },
      entries,
      fallback: literal(''),
    });
  });
}
