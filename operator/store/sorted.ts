/**
 * Where an element goes in a sorted list: the first index whose element is not `before` it
 * (binary search). Lists kept sorted between changes put changed elements in place with it
 * rather than sorting thousands again.
 */
export function lowerBound<T>(sorted: readonly T[], before: (element: T) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(sorted[middle]!)) low = middle + 1;
    else high = middle;
  }
  return low;
}
