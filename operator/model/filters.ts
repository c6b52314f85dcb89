/**
 * HTTPRoute matches and filters, turned into their model form: duplicate names resolved the way
 * the spec says (the first entry wins), everything sorted, redirects made explicit.
 */
import type { HTTPRoute } from '../api/kinds.js';
import type { HeaderModifier, PathMatch, Redirect, RequestMatch, ValueMatch } from './types.js';

type Rule = HTTPRoute['spec']['rules'][number];
type Match = Rule['matches'][number];
type Filter = NonNullable<Rule['filters']>[number];
type HeaderFilter = Extract<Filter, { type: 'RequestHeaderModifier' }>['requestHeaderModifier'];
type RedirectFilter = Extract<Filter, { type: 'RequestRedirect' }>['requestRedirect'];

export const NO_HEADER_CHANGES: HeaderModifier = { set: [], add: [], remove: [] };

const byName = (a: { readonly name: string }, b: { readonly name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** Keep the first of entries whose names are equal under `key`. */
function firstByName<T extends { readonly name: string }>(
  entries: readonly T[],
  key: (name: string) => string,
): T[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const k = key(entry.name);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A trailing slash on a PathPrefix is not significant: `/match/` matches like `/match`. */
export function normalizePath(path: Match['path']): PathMatch {
  if (path.type === 'Exact') return { type: 'Exact', value: path.value };
  const trimmed = path.value.length > 1 ? path.value.replace(/\/+$/, '') : path.value;
  return { type: 'PathPrefix', value: trimmed || '/' };
}

export function requestMatch(match: Match): RequestMatch {
  const values = (entries: readonly ValueMatch[] | undefined, key: (n: string) => string): ValueMatch[] =>
    firstByName(entries ?? [], key)
      .map(({ type, name, value }) => ({ type, name: key(name), value }))
      .sort(byName);
  return {
    path: normalizePath(match.path),
    ...(match.method ? { method: match.method } : {}),
    // Header names are case-insensitive: compare and emit them lowercased.
    headers: values(match.headers, (n) => n.toLowerCase()),
    // Query parameter names are case-sensitive.
    queryParams: values(match.queryParams, (n) => n),
  };
}

export function headerModifier(filter: HeaderFilter | undefined): HeaderModifier {
  if (!filter) return NO_HEADER_CHANGES;
  const seen = new Set<string>();
  const keep = (name: string): boolean => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const set = (filter.set ?? []).filter((h) => keep(h.name)).map(({ name, value }) => ({ name, value }));
  const add = (filter.add ?? []).filter((h) => keep(h.name)).map(({ name, value }) => ({ name, value }));
  const remove = (filter.remove ?? []).filter(keep);
  return { set, add, remove };
}

/**
 * The redirect for one match of the rule. `ReplacePrefixMatch` needs the prefix the match
 * matched, so a rule redirects differently per match; a non-prefix match cannot use it (the
 * resolver reports that before getting here).
 */
export function redirectFor(filter: RedirectFilter, path: PathMatch): Redirect {
  const modifier = filter.path;
  return {
    statusCode: filter.statusCode,
    ...(filter.scheme ? { scheme: filter.scheme } : {}),
    ...(filter.hostname ? { hostname: filter.hostname } : {}),
    ...(filter.port ? { port: filter.port } : {}),
    ...(modifier?.type === 'ReplaceFullPath'
      ? { path: { type: 'ReplaceFullPath', value: modifier.replaceFullPath ?? '/' } }
      : {}),
    ...(modifier?.type === 'ReplacePrefixMatch'
      ? {
          path: { type: 'ReplacePrefixMatch', prefix: path.value, value: modifier.replacePrefixMatch ?? '/' },
        }
      : {}),
  };
}

/** The first field of the route gateplane cannot serve, so the user sees it in status. */
export function unsupportedField(route: HTTPRoute): { field: string; detail: string } | undefined {
  for (const [i, rule] of route.spec.rules.entries()) {
    const problem = ruleProblem(rule);
    if (problem) return { field: `spec.rules[${i}]${problem.field}`, detail: problem.detail };
  }
  return undefined;
}

const SERVED_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect']);

function ruleProblem(rule: Rule): { field: string; detail: string } | undefined {
  const seen = new Set<string>();
  for (const [k, filter] of (rule.filters ?? []).entries()) {
    if (!SERVED_FILTERS.has(filter.type))
      return { field: `.filters[${k}].type`, detail: `${filter.type} is not supported yet.` };
    if (seen.has(filter.type))
      return { field: `.filters[${k}].type`, detail: `${filter.type} may appear only once per rule.` };
    seen.add(filter.type);
  }
  if (rule.timeouts) return { field: '.timeouts', detail: 'is not supported yet.' };
  const redirect = rule.filters?.find((f) => f.type === 'RequestRedirect');
  for (const [j, match] of rule.matches.entries()) {
    const problem = matchProblem(
      match,
      redirect !== undefined && redirect.requestRedirect.path?.type === 'ReplacePrefixMatch',
    );
    if (problem) return { field: `.matches[${j}]${problem.field}`, detail: problem.detail };
  }
  for (const [j, ref] of (rule.backendRefs ?? []).entries()) {
    if (ref.filters?.length) return { field: `.backendRefs[${j}].filters`, detail: 'are not supported yet.' };
  }
  return undefined;
}

function matchProblem(match: Match, prefixRedirect: boolean): { field: string; detail: string } | undefined {
  if (match.path.type === 'RegularExpression')
    return { field: '.path.type', detail: 'RegularExpression is not supported yet.' };
  if (prefixRedirect && match.path.type !== 'PathPrefix') {
    return { field: '.path.type', detail: 'a ReplacePrefixMatch redirect needs a PathPrefix match.' };
  }
  for (const [list, entries] of [
    ['headers', match.headers],
    ['queryParams', match.queryParams],
  ] as const) {
    for (const [k, entry] of (entries ?? []).entries()) {
      if (entry.type === 'RegularExpression' && !compiles(entry.value)) {
        return { field: `.${list}[${k}].value`, detail: 'is not a valid regular expression.' };
      }
    }
  }
  return undefined;
}

/** Both proxies use PCRE; a pattern JavaScript cannot compile is refused before it reaches them. */
function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
