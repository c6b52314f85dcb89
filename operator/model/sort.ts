/**
 * Match precedence, as the HTTPRoute spec orders it. Across all rules of all routes that can
 * serve a request, the match with, in order:
 *   1. the most characters in a matching non-wildcard hostname, then in a matching hostname;
 *   2. an Exact path match, then the PathPrefix with the most characters;
 *   3. a method match; 4. the most header matches; 5. the most query parameter matches;
 * wins; ties go to the oldest route (creationTimestamp), then the first route by
 * "namespace/name", then the first rule and match within the route.
 */
import type { PathMatch, RequestMatch, RuleSource } from './types.js';

export interface RankedRule {
  /** From hostnames.ts `hostnameWeight` of the route hostname that matched. */
  readonly hostnameWeight: number;
  readonly match: RequestMatch;
  readonly routeCreated: string;
  readonly source: RuleSource;
}

const PATH_TYPE_RANK: Readonly<Record<PathMatch['type'], number>> = { Exact: 0, PathPrefix: 1 };

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function comparePrecedence(a: RankedRule, b: RankedRule): number {
  return (
    b.hostnameWeight - a.hostnameWeight ||
    PATH_TYPE_RANK[a.match.path.type] - PATH_TYPE_RANK[b.match.path.type] ||
    b.match.path.value.length - a.match.path.value.length ||
    Number(b.match.method !== undefined) - Number(a.match.method !== undefined) ||
    b.match.headers.length - a.match.headers.length ||
    b.match.queryParams.length - a.match.queryParams.length ||
    byString(a.routeCreated, b.routeCreated) ||
    byString(a.source.route.namespace, b.source.route.namespace) ||
    byString(a.source.route.name, b.source.route.name) ||
    a.source.rule - b.source.rule ||
    a.source.match - b.source.match
  );
}
