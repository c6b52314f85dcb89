/**
 * Brings a Gateway's objects in line with what we want, with as few writes as possible: an
 * object is applied only when it differs from what we applied last, or when the server's copy no
 * longer holds every field we set (someone edited or deleted it). After a restart everything is
 * applied once, which is a no-op on the server when nothing changed; that first apply is also
 * what lets server-side apply drop fields we stopped setting.
 */
import { isDeepStrictEqual } from 'node:util';
import type { NamespacedName } from '../model/index.js';
import type { ObjectClient } from './objectClient.js';
import type { KubeManifest, OwnedKind } from './objects.js';
import type { OwnedObjects, WatchedObject } from './ownedObjects.js';

export const OWNED_KINDS: readonly OwnedKind[] = [
  'ServiceAccount',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'Deployment',
  'Service',
];

export interface ProvisionResult {
  /** Kinds that were written, in order. */
  readonly applied: readonly OwnedKind[];
}

const keyOf = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

/** Every field of `wanted` is in `live` with the same value; `live` may hold more (defaults). */
export function holds(live: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(live) && live.length === wanted.length && wanted.every((item, i) => holds(live[i], item))
    );
  }
  if (typeof wanted === 'object' && wanted !== null) {
    if (typeof live !== 'object' || live === null || Array.isArray(live)) return false;
    const record = live as Record<string, unknown>;
    return Object.entries(wanted).every(([key, value]) => holds(record[key], value));
  }
  return isDeepStrictEqual(live, wanted);
}

function ownedBy(object: WatchedObject, gateway: string): boolean {
  return object.metadata.ownerReferences.some((ref) => ref.kind === 'Gateway' && ref.name === gateway);
}

export class Provisioner {
  /** What we applied last per object, as JSON. */
  private readonly applied = new Map<string, string>();

  constructor(
    private readonly client: ObjectClient,
    private readonly owned: OwnedObjects,
  ) {}

  /** Apply what differs, in order (configuration before the pods that read it). */
  async apply(desired: readonly KubeManifest[]): Promise<ProvisionResult> {
    const written: OwnedKind[] = [];
    for (const manifest of desired) {
      const { namespace, name } = manifest.metadata;
      const key = keyOf(manifest.kind, namespace, name);
      const json = JSON.stringify(manifest);
      const live = this.owned.get(manifest.kind, namespace, name);
      if (this.applied.get(key) === json && live && holds(live.raw, manifest)) continue;
      let result: Readonly<Record<string, unknown>>;
      try {
        result = await this.client.apply(manifest);
      } catch (error) {
        this.applied.delete(key);
        throw error;
      }
      this.owned.remember(manifest.kind, result);
      this.applied.set(key, json);
      written.push(manifest.kind);
    }
    return { applied: written };
  }

  /** Delete every object we created for `gateway`; returns the kinds deleted. */
  async remove(gateway: NamespacedName): Promise<ProvisionResult> {
    const deleted: OwnedKind[] = [];
    for (const kind of OWNED_KINDS) {
      for (const object of this.owned.list(kind, gateway.namespace)) {
        if (!ownedBy(object, gateway.name)) continue;
        const { namespace, name } = object.metadata;
        await this.client.delete({ kind, namespace, name });
        this.owned.forget(kind, namespace, name);
        this.applied.delete(keyOf(kind, namespace, name));
        deleted.push(kind);
      }
    }
    return { applied: deleted };
  }
}

/** Gateways that objects we created point to, as `namespace/name`. */
export function gatewaysWithObjects(owned: OwnedObjects): Set<string> {
  const keys = new Set<string>();
  for (const kind of OWNED_KINDS) {
    for (const object of owned.list(kind)) {
      for (const ref of object.metadata.ownerReferences) {
        if (ref.kind === 'Gateway') keys.add(`${object.metadata.namespace}/${ref.name}`);
      }
    }
  }
  return keys;
}
