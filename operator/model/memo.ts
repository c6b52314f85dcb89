/**
 * One computation per object. Model objects are immutable, and the resolver hands out the same
 * object while what it was built from is unchanged, so a result derived from one object alone
 * holds as long as that object lives: with thousands of routes and hosts, a change then costs
 * what changed, not what stayed.
 */
export function memoized<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const results = new WeakMap<K, V>();
  return (key) => {
    const known = results.get(key);
    // `has` only for a result that is itself undefined.
    if (known !== undefined || results.has(key)) return known as V;
    const result = build(key);
    results.set(key, result);
    return result;
  };
}
