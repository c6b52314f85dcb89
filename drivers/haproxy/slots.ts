/**
 * Server slots: every backend is rendered with more `server` lines than it has endpoints, so that
 * endpoints can come and go through the runtime API (liveUpdate.ts) without a reload. The
 * endpoints fill the first slots, in model order; the rest are placeholders, `disabled`, at an
 * address nothing ever connects to while they stay disabled.
 *
 * The capacity is a pure function of the number of endpoints, so render stays deterministic and
 * an unchanged model still means unchanged bytes. Twice the endpoints, rounded up to a power of
 * two, leaves room to double without a reload, and rounding keeps a backend that scales by one
 * from changing capacity (and so its configuration's shape) at every step. The floor of 8 gives
 * small Services, the common case, room to grow; a spare slot costs HAProxy a server struct and
 * a few hundred bytes per thread, and nothing per request.
 */
import { isIPv6 } from 'node:net';

/** Fewest slots a backend gets, endpoints or not. */
export const MIN_SLOTS = 8;

/** What a placeholder slot points to: never connected to while the slot is disabled. */
export const PLACEHOLDER_ADDRESS = '127.0.0.1';
export const PLACEHOLDER_PORT = 1;

/** The number of server lines a backend with `endpoints` endpoints is rendered with. */
export function slotCapacity(endpoints: number): number {
  let capacity = MIN_SLOTS;
  while (capacity < 2 * endpoints) capacity *= 2;
  return capacity;
}

/** HAProxy reads `[::1]:80` as IPv6 address and port; a bare IPv6 address needs the brackets. */
export function hostForAddress(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}

/** Slot names are positions, not endpoints: a live update may put any endpoint in any slot. */
export function slotName(index: number): string {
  return `ep${index}`;
}
