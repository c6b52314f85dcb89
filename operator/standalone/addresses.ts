/**
 * Loopback addresses for Gateways in standalone mode: each Gateway gets its own, so several can
 * bind the same port, as they would behind their own Services in a cluster. The first
 * IPAddress in `spec.addresses` wins; otherwise the next free address of the pool. Assignments
 * are sticky for as long as the Gateway exists.
 */
import { isIPv4 } from 'node:net';

export type Assignment = { readonly address: string } | { readonly problem: string };

const toNumber = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toAddress = (n: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
const isLoopback = (ip: string): boolean => isIPv4(ip) && ip.startsWith('127.');

export function parsePool(cidr: string): { first: number; last: number } {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  const base = match?.[1];
  const bits = Number(match?.[2]);
  if (!base || !isLoopback(base) || !(bits >= 8 && bits <= 30)) {
    throw new Error(`${cidr} is not a loopback IPv4 CIDR between /8 and /30 (for example 127.0.1.0/24)`);
  }
  const size = 2 ** (32 - bits);
  const network = toNumber(base) - (toNumber(base) % size);
  // Skip the network and broadcast addresses: they bind on Linux, but surprise people.
  return { first: network + 1, last: network + size - 2 };
}

export class AddressPool {
  private readonly range: { first: number; last: number };
  private readonly byKey = new Map<string, string>();

  constructor(cidr: string) {
    this.range = parsePool(cidr);
  }

  assign(key: string, requested: readonly { readonly type: string; readonly value: string }[]): Assignment {
    const wanted = requested[0];
    if (wanted) {
      if (wanted.type !== 'IPAddress')
        return { problem: `address type ${wanted.type} is not supported in standalone mode; use IPAddress.` };
      if (!isLoopback(wanted.value))
        return { problem: `${wanted.value} is not a loopback IPv4 address (127.0.0.0/8).` };
      const holder = this.holderOf(wanted.value);
      if (holder && holder !== key)
        return { problem: `${wanted.value} is already used by Gateway ${holder}.` };
      this.byKey.set(key, wanted.value);
      return { address: wanted.value };
    }
    const current = this.byKey.get(key);
    if (current) return { address: current };
    const taken = new Set(this.byKey.values());
    for (let n = this.range.first; n <= this.range.last; n++) {
      const address = toAddress(n);
      if (taken.has(address)) continue;
      this.byKey.set(key, address);
      return { address };
    }
    return { problem: 'the address pool is exhausted; widen --address-pool.' };
  }

  release(key: string): void {
    this.byKey.delete(key);
  }

  private holderOf(address: string): string | undefined {
    for (const [key, held] of this.byKey) if (held === address) return key;
    return undefined;
  }
}
