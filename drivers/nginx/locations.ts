/**
 * Turns a virtual host's ordered rules into nginx `location` blocks, and decides which rules may
 * serve each one.
 *
 * nginx does not evaluate rules in order: it picks ONE location per request (an exact `= /p`
 * location if one equals the path, else the longest prefix location the path starts with) and
 * never falls through to another. The model, by contrast, says "the first rule whose match holds
 * wins". We reconcile the two by giving every location the rule the model would choose for every
 * request nginx sends there.
 *
 * Locations a rule's path match needs:
 * - `Exact /foo`      → `= /foo`
 * - `PathPrefix /`    → `/`
 * - `PathPrefix /foo` → `= /foo` and `/foo/`: prefix matching is element-wise, so `/foobar` must
 *   not land here, which a plain `location /foo` would allow.
 *
 * Why one winner per location is exact (paths only): for a prefix location `/foo/`, nginx sends it
 * exactly the paths under `/foo/` that no exact location equals and no longer prefix location
 * claims. A `PathPrefix /bar` rule matches either all of them (`/bar/` is a prefix of `/foo/`) or
 * none (any path under both would have gone to the longer `/bar/...` location); an `Exact` rule
 * matches none of them (its path has its own exact location). So "the rule covers every URI of the
 * location" is the same as "the rule matches any one of them", and the first covering rule in the
 * host's order is the model's answer for every request nginx routes there.
 *
 * With conditions (method, headers, query parameters) a covering rule may still not hold, and the
 * request must fall through to the next covering rule, which may have a shorter path: so a
 * location's candidates are the covering rules in the host's order, up to and including the first
 * one without conditions (nothing after it can win). conditions.ts picks among them per request.
 */
import type { PathMatch, RouteRule } from '../../operator/model/types.js';
import { isConditional } from './conditions.js';

export interface LocationKey {
  /** `location = path` when true, the prefix form `location path` otherwise. */
  readonly exact: boolean;
  readonly path: string;
}

export interface PlannedLocation extends LocationKey {
  /**
   * Rules to try, in the host's precedence order: rules with conditions, then possibly the first
   * rule without any (it always applies). When none applies, the answer is 404.
   */
  readonly candidates: readonly RouteRule[];
}

function locationsFor(path: PathMatch): LocationKey[] {
  switch (path.type) {
    case 'Exact':
      return [{ exact: true, path: path.value }];
    case 'PathPrefix':
      if (path.value === '/') return [{ exact: false, path: '/' }];
      // A prefix location's single argument would be read as a modifier if it began with `=`,
      // `~` or `@`; the resolver only emits paths starting with `/`, so hold it to that.
      if (!path.value.startsWith('/'))
        throw new Error(`internal: path prefix ${JSON.stringify(path.value)} must start with /`);
      return [
        { exact: true, path: path.value },
        { exact: false, path: `${path.value}/` },
      ];
  }
}

/** Does `rule` match every request path nginx can send to `location`? See the file comment. */
function covers(path: PathMatch, location: LocationKey): boolean {
  if (path.type === 'PathPrefix' && path.value === '/') return true;
  if (location.exact) {
    return path.type === 'Exact'
      ? path.value === location.path
      : location.path === path.value || location.path.startsWith(`${path.value}/`);
  }
  return path.type === 'PathPrefix' && location.path.startsWith(`${path.value}/`);
}

function keyOf(location: LocationKey): string {
  return `${location.exact ? '=' : '^'}${location.path}`;
}

/**
 * Every location the host needs, sorted by path (exact first) for a stable, readable config,
 * with its candidates. Adds two locations no rule asks for:
 * - `/` answering 404 when no rule claims it, so unmatched paths get a 404 rather than nginx's
 *   static-file default;
 * - `= /foo` for every location `/foo/` or `= /foo/`: nginx redirects `/foo` to `/foo/` (301)
 *   when the only location near it ends in a slash and proxies (its `auto_redirect`), which the
 *   model never asks for. With an exact `= /foo`, `/foo` gets its own answer (a rule, or 404).
 */
export function planLocations(rules: readonly RouteRule[]): PlannedLocation[] {
  const keys = new Map<string, LocationKey>();
  const add = (location: LocationKey): void => {
    if (!keys.has(keyOf(location))) keys.set(keyOf(location), location);
  };
  for (const rule of rules) locationsFor(rule.match.path).forEach(add);
  add({ exact: false, path: '/' });
  for (const location of [...keys.values()]) {
    if (location.path !== '/' && location.path.endsWith('/'))
      add({ exact: true, path: location.path.slice(0, -1) });
  }
  return [...keys.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : Number(b.exact) - Number(a.exact)))
    .map((location) => ({ ...location, candidates: candidatesFor(rules, location) }));
}

function candidatesFor(rules: readonly RouteRule[], location: LocationKey): RouteRule[] {
  const candidates: RouteRule[] = [];
  for (const rule of rules) {
    if (!covers(rule.match.path, location)) continue;
    candidates.push(rule);
    if (!isConditional(rule.match)) break;
  }
  return candidates;
}
