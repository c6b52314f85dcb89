/**
 * A reconcile may throw anything (a string, undefined, a rejected non-Error); the error
 * handler gets an Error with a message either way, like controller-runtime turning a panic
 * into an error. Errors pass through unwrapped so callers can still match their type.
 */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(`reconcile threw a non-Error value: ${describe(thrown)}`, { cause: thrown });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular objects and BigInts do not stringify; the type is still worth a message.
    return `a value of type ${typeof value}`;
  }
}
