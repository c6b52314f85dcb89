/**
 * What a driver derives from a port's virtual hosts (its route maps, its digest), built from what
 * it derived for the port of the same number last time when the two differ in a few hosts.
 *
 * The resolver keeps the objects of hosts that did not change, so two successive ports differ in
 * one range of hosts, found by comparing references from both ends; everything outside it is
 * the same objects in the same order. A change to one route among thousands then costs what
 * that range holds plus copies of flat arrays, instead of a walk over thousands of host objects
 * scattered in the heap (about a millisecond at 3,000 hosts on the machines we measured).
 */
import type { HttpListenerPort, VirtualHost } from '../operator/model/types.js';

/** Where two host lists differ: `before[start, beforeEnd)` became `after[start, afterEnd)`. */
export interface HostRange {
  readonly start: number;
  readonly beforeEnd: number;
  readonly afterEnd: number;
}

export function differingHosts(before: readonly VirtualHost[], after: readonly VirtualHost[]): HostRange {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before[start] === after[start]) start += 1;
  let beforeEnd = before.length;
  let afterEnd = after.length;
  while (beforeEnd > start && afterEnd > start && before[beforeEnd - 1] === after[afterEnd - 1]) {
    beforeEnd -= 1;
    afterEnd -= 1;
  }
  return { start, beforeEnd, afterEnd };
}

/** More hosts than this differ, and the value is built afresh. */
const MAX_CHANGED_HOSTS = 64;

/**
 * One value per port number, the last derived. `next` gives the value for a port: derived from
 * the last one by `from` when the hosts differ in at most MAX_CHANGED_HOSTS, else by `build`;
 * `from` may also decline (undefined). Ports of the same number from different Gateways take
 * turns: they then build afresh, which gives the same values.
 */
export class PortSeries<T> {
  private readonly last = new Map<number, { readonly port: HttpListenerPort; readonly value: T }>();

  constructor(
    private readonly build: (port: HttpListenerPort) => T,
    private readonly from: (port: HttpListenerPort, last: T, range: HostRange) => T | undefined,
  ) {}

  next(port: HttpListenerPort): T {
    const last = this.last.get(port.port);
    let value: T | undefined;
    if (last) {
      const range = differingHosts(last.port.virtualHosts, port.virtualHosts);
      if (range.beforeEnd - range.start + (range.afterEnd - range.start) <= MAX_CHANGED_HOSTS)
        value = this.from(port, last.value, range);
    }
    value ??= this.build(port);
    this.last.set(port.port, { port, value });
    return value;
  }
}

/**
 * `before` (a list per host of the last port) with its range replaced by `entered`: the list
 * per host of the new port.
 */
export function replaceRange<T>(
  before: readonly T[],
  { start, beforeEnd }: HostRange,
  entered: readonly T[],
): T[] {
  const after = before.slice(0, start);
  for (const value of entered) after.push(value);
  for (let i = beforeEnd; i < before.length; i += 1) after.push(before[i]!);
  return after;
}
