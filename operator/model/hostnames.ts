/**
 * Hostname semantics of the Gateway API. A hostname is exact (`a.example.com`), a wildcard
 * (`*.example.com`: one or more labels before `.example.com`, never `example.com` itself) or the
 * catch-all `*`, which is how an absent hostname is written here.
 */

export const CATCH_ALL = '*';

const isWildcard = (host: string): boolean => host.startsWith('*.');

/** Whether every hostname matched by `specific` is also matched by `general`. */
export function covers(general: string, specific: string): boolean {
  if (general === CATCH_ALL || general === specific) return true;
  if (!isWildcard(general) || specific === CATCH_ALL) return false;
  const suffix = general.slice(1); // `.example.com`
  return (
    specific.endsWith(suffix) &&
    specific.length > suffix.length &&
    (!isWildcard(specific) || specific.length > general.length)
  );
}

/**
 * The hostnames a route serves on a listener: route hostnames narrowed to the listener's, or
 * the listener's own when the route names none. Empty: the route has no business there.
 */
export function effectiveHostnames(
  listenerHostname: string | undefined,
  routeHostnames: readonly string[],
): string[] {
  const listener = listenerHostname ?? CATCH_ALL;
  if (routeHostnames.length === 0) return [listener];
  const out = new Set<string>();
  for (const route of routeHostnames) {
    if (covers(listener, route)) out.add(route);
    else if (covers(route, listener)) out.add(listener);
  }
  return [...out];
}

/**
 * Most specific first: exact hostnames, then wildcards by decreasing length, then the catch-all;
 * ties broken alphabetically so the order is total and stable.
 */
export function compareSpecificity(a: string, b: string): number {
  return specificityRank(a) - specificityRank(b) || b.length - a.length || (a < b ? -1 : a > b ? 1 : 0);
}

const specificityRank = (h: string): number => (h === CATCH_ALL ? 2 : isWildcard(h) ? 1 : 0);

/**
 * The spec's first two precedence criteria, as one number to sort by (higher wins): characters
 * in a matching non-wildcard hostname, then characters in a matching hostname.
 */
export function hostnameWeight(host: string): number {
  if (host === CATCH_ALL) return 0;
  return isWildcard(host) ? host.length - 1 : 1000 + host.length;
}
