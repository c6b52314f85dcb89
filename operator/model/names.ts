/**
 * Names the model gives to the things a driver declares (upstreams, rules). Each is derived
 * from its source object only, never from a counter or from insertion order, so a name is
 * stable across reconciles and unique within a Gateway.
 *
 * Kubernetes names and namespaces are DNS labels/subdomains (`[a-z0-9.-]`, validated at the
 * edge), so joining them with `_`, which neither can contain, is injective.
 */
import type { NamespacedName } from './types.js';

/** What every model identifier matches: safe as an nginx or HAProxy name without quoting. */
export const SAFE_IDENTIFIER = /^[a-z0-9][a-z0-9_.-]*$/;

function checked(id: string): string {
  if (!SAFE_IDENTIFIER.test(id)) throw new Error(`internal: unsafe model identifier ${JSON.stringify(id)}`);
  return id;
}

export function upstreamName(service: NamespacedName, port: number): string {
  return checked(`${service.namespace}_${service.name}_${port}`);
}

export function ruleId(route: NamespacedName, rule: number, match: number): string {
  return checked(`${route.namespace}_${route.name}_r${rule}_m${match}`);
}

export function formatName(n: NamespacedName): string {
  return `${n.namespace}/${n.name}`;
}
