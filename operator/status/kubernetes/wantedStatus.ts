/**
 * From the status we computed and the status the object has, the status it should have:
 * - GatewayClass and Gateway status is ours entirely;
 * - a route's `status.parents` is shared: entries with our controllerName are replaced by ours,
 *   everyone else's stay as they are, where they are;
 * - a condition whose status did not change keeps the object's `lastTransitionTime`, so a restart
 *   (which forgets the times the stamper remembered) does not rewrite every object.
 * Comparisons ignore key order. Pure functions, no I/O.
 */
import { ROUTE_KINDS, type LiveObject } from '../../sources/kubernetes/index.js';

type Json = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys; undefined members dropped, as JSON.stringify drops them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** What identifies an array item across versions: conditions by type, listeners by name, parents by ref. */
function identity(item: unknown): string {
  if (!isRecord(item)) return canonicalJson(item);
  if (typeof item.type === 'string' && typeof item.status === 'string') return `condition:${item.type}`;
  if (isRecord(item.parentRef))
    return `parent:${canonicalJson(item.parentRef)}:${String(item.controllerName)}`;
  if (typeof item.name === 'string') return `name:${item.name}`;
  return canonicalJson(item);
}

function keepTransitionTimes(wanted: unknown, live: unknown): unknown {
  if (Array.isArray(wanted)) {
    const liveItems: unknown[] = Array.isArray(live) ? live : [];
    return wanted.map((item) =>
      keepTransitionTimes(
        item,
        liveItems.find((l) => identity(l) === identity(item)),
      ),
    );
  }
  if (!isRecord(wanted)) return wanted;
  const old = isRecord(live) ? live : {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wanted)) out[key] = keepTransitionTimes(value, old[key]);
  const sameCondition =
    typeof wanted.type === 'string' && wanted.type === old.type && wanted.status === old.status;
  if (sameCondition && typeof old.lastTransitionTime === 'string' && 'lastTransitionTime' in wanted) {
    out.lastTransitionTime = old.lastTransitionTime;
  }
  return out;
}

export function isRouteKind(kind: string): boolean {
  return (ROUTE_KINDS as readonly string[]).includes(kind);
}

const controllerOf = (entry: unknown): unknown => (isRecord(entry) ? entry.controllerName : undefined);

function sameEntries(a: readonly unknown[], b: readonly unknown[]): boolean {
  const sorted = (entries: readonly unknown[]) => entries.map(canonicalJson).sort();
  return sameJson(sorted(a), sorted(b));
}

/**
 * The full status the object should have; `live.status` itself (same reference) when nothing
 * needs writing. `computed` is our status for the object, or undefined for a route we no longer
 * have anything to say about (our entries are then removed).
 */
export function wantedStatus(
  kind: string,
  computed: Json | undefined,
  live: LiveObject,
  controllerName: string,
): Json {
  if (!isRouteKind(kind)) {
    if (!computed) return live.status;
    const wanted = keepTransitionTimes(computed, live.status) as Json;
    return sameJson(wanted, live.status) ? live.status : wanted;
  }
  const liveParents: unknown[] = Array.isArray(live.status.parents) ? live.status.parents : [];
  const ourLive = liveParents.filter((entry) => controllerOf(entry) === controllerName);
  const computedParents: unknown[] = Array.isArray(computed?.parents) ? computed.parents : [];
  // Never write an entry in another controller's name, whatever we were given.
  const ours = computedParents
    .filter((entry) => controllerOf(entry) === controllerName)
    .map((entry) =>
      keepTransitionTimes(
        entry,
        ourLive.find((l) => identity(l) === identity(entry)),
      ),
    );
  // The order of entries carries no meaning; comparing it would make two controllers that
  // each append their own entries rewrite the list back and forth forever.
  if (sameEntries(ours, ourLive)) return live.status;
  const theirs = liveParents.filter((entry) => controllerOf(entry) !== controllerName);
  return { ...live.status, parents: [...theirs, ...ours] };
}

/**
 * A merge patch turning `current` into `wanted` at the top level: absent keys become null. A key
 * present with an undefined value is absent too, since JSON drops it: left out of the patch, the
 * server would keep the old value and every later comparison would ask to write again.
 */
export function statusPatch(wanted: Json, current: Json): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...wanted };
  for (const key of Object.keys(current)) if (wanted[key] === undefined) patch[key] = null;
  return patch;
}
