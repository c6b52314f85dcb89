/**
 * The fake API server's object storage and write semantics: create, update, the status
 * subresource, deletion with finalizers and background garbage collection of dependents. Every
 * write goes through `commit`, which assigns the next resourceVersion and records the change.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { History, type Deliver } from './history.js';
import {
  metaOf,
  recordManager,
  rfc3339,
  specPart,
  str,
  text,
  withoutManagedFields,
  type Meta,
  type WriteOptions,
} from './objectMeta.js';
import { clone, isObject, type JsonObject } from './patches.js';
import { apiVersionOf, resourceId, type FakeResource } from './resources.js';
import type { Selector } from './selectors.js';
import { errors } from './statusErrors.js';

export interface ObjectsOptions {
  readonly historyLimit: number;
  readonly now: () => Date;
  /** Refuse namespaced objects in namespaces that do not exist, as a real server does. */
  readonly enforceNamespaces: boolean;
}

export class FakeObjects {
  readonly history: History;
  private readonly byResource = new Map<string, Map<string, JsonObject>>();
  private readonly liveUids = new Set<string>();

  constructor(
    private readonly options: ObjectsOptions,
    private readonly resolveResource: (id: string) => FakeResource | undefined,
  ) {
    this.history = new History(options.historyLimit);
  }

  private bucket(resource: FakeResource): Map<string, JsonObject> {
    const id = resourceId(resource);
    let bucket = this.byResource.get(id);
    if (!bucket) this.byResource.set(id, (bucket = new Map<string, JsonObject>()));
    return bucket;
  }

  list(resource: FakeResource, namespace: string | undefined, selector: Selector): JsonObject[] {
    return [...this.bucket(resource).values()]
      .filter((o) => namespace === undefined || metaOf(o).namespace === namespace)
      .filter(selector);
  }

  find(resource: FakeResource, namespace: string, name: string): JsonObject | undefined {
    return this.bucket(resource).get(`${namespace}/${name}`);
  }

  get(resource: FakeResource, namespace: string, name: string): JsonObject {
    const found = this.find(resource, namespace, name);
    if (!found) throw errors.notFound(resource, name);
    return found;
  }

  watch(
    scope: { resource: FakeResource; namespace?: string; selector: Selector },
    from: number | undefined,
    deliver: Deliver,
  ): () => void {
    const watchScope = { ...scope, resource: resourceId(scope.resource) };
    if (from !== undefined) return this.history.subscribe(watchScope, from, deliver);
    // No resourceVersion: the current state as synthetic ADDED events, then what follows.
    for (const object of this.list(scope.resource, scope.namespace, scope.selector)) deliver('ADDED', object);
    return this.history.subscribe(watchScope, this.history.resourceVersion, deliver);
  }

  create(
    resource: FakeResource,
    namespace: string,
    body: JsonObject,
    options: WriteOptions = {},
  ): JsonObject {
    const meta = { ...metaOf(body) };
    if (str(meta.resourceVersion))
      throw errors.badRequest('resourceVersion should not be set on objects to be created');
    const bodyNamespace = str(meta.namespace);
    if (resource.namespaced && bodyNamespace !== undefined && bodyNamespace !== namespace)
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    const generateName = str(meta.generateName);
    const name = str(meta.name) ?? (generateName ? generateName + randomUUID().slice(0, 5) : undefined);
    if (!name)
      throw errors.invalid(resource, '', 'metadata.name: Required value: name or generateName is required');
    if (this.find(resource, namespace, name)) throw errors.alreadyExists(resource, name);
    if (resource.namespaced && this.options.enforceNamespaces && !this.namespaceExists(namespace)) {
      throw errors.notFound(this.namespaceResource(), namespace);
    }
    const next: JsonObject = { ...clone(body), apiVersion: apiVersionOf(resource), kind: resource.kind };
    if (resource.statusSubresource) delete next.status;
    const { namespace: _ns, ...rest } = meta;
    next.metadata = {
      ...rest,
      name,
      ...(resource.namespaced ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: rfc3339(this.options.now()),
      ...(resource.generation ? { generation: 1 } : {}),
    };
    return this.commit(
      resource,
      recordManager(next, resource, { ...options, time: rfc3339(this.options.now()) }),
      undefined,
    );
  }

  /** PUT (or a patch's result): the body is the whole object; `requireVersion` is the PUT rule for CRDs. */
  update(
    resource: FakeResource,
    target: { namespace: string; name: string },
    body: JsonObject,
    options: WriteOptions & { readonly requireVersion?: boolean } = {},
  ): JsonObject {
    const current = this.get(resource, target.namespace, target.name);
    const currentMeta = metaOf(current);
    const meta = metaOf(body);
    const wanted = str(meta.resourceVersion);
    if (
      wanted === undefined &&
      options.requireVersion &&
      resource.custom &&
      options.subresource === undefined
    )
      throw errors.invalid(
        resource,
        target.name,
        'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      );
    if (wanted !== undefined && wanted !== currentMeta.resourceVersion)
      throw errors.conflict(resource, target.name);
    if (str(meta.name) !== undefined && meta.name !== target.name)
      throw errors.badRequest(
        `the name of the object (${text(meta.name)}) does not match the name on the URL (${target.name})`,
      );

    let next: JsonObject;
    if (options.subresource === 'status') {
      next = clone(current);
      if (body.status === undefined) delete next.status;
      else next.status = clone(body.status);
    } else {
      next = { ...clone(body), apiVersion: apiVersionOf(resource), kind: resource.kind };
      // Identity and bookkeeping belong to the server, whatever the body says.
      next.metadata = { ...clone(meta) };
      for (const key of [
        'uid',
        'creationTimestamp',
        'generation',
        'deletionTimestamp',
        'name',
        'namespace',
        'managedFields',
      ]) {
        if (currentMeta[key] === undefined) delete next.metadata[key];
        else next.metadata[key] = clone(currentMeta[key] ?? null);
      }
      if (resource.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      if (resource.generation && !isDeepStrictEqual(specPart(current), specPart(next))) {
        next.metadata.generation = Number(currentMeta.generation ?? 0) + 1;
      }
    }
    next.metadata = { ...metaOf(next), resourceVersion: currentMeta.resourceVersion ?? null };
    // An update that changes nothing is not a write: no new resourceVersion, no watch event.
    if (isDeepStrictEqual(withoutManagedFields(next), withoutManagedFields(current))) return current;
    const committed = this.commit(
      resource,
      recordManager(next, resource, { ...options, time: rfc3339(this.options.now()) }),
      current,
    );
    const finalizers = metaOf(committed).finalizers;
    if (str(metaOf(committed).deletionTimestamp) && (!Array.isArray(finalizers) || finalizers.length === 0)) {
      return this.remove(resource, committed);
    }
    return committed;
  }

  delete(
    resource: FakeResource,
    namespace: string,
    name: string,
    preconditions: JsonObject = {},
  ): JsonObject {
    const current = this.get(resource, namespace, name);
    const meta = metaOf(current);
    const uid = str(preconditions.uid);
    const version = str(preconditions.resourceVersion);
    if (
      (uid !== undefined && uid !== meta.uid) ||
      (version !== undefined && version !== meta.resourceVersion)
    )
      throw errors.conflict(resource, name);
    const finalizers = meta.finalizers;
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (str(meta.deletionTimestamp)) return current;
      const marked = {
        ...clone(current),
        metadata: { ...clone(meta), deletionTimestamp: rfc3339(this.options.now()) },
      };
      return this.commit(resource, marked, current);
    }
    return this.remove(resource, current);
  }

  /** Drop every object of a resource, as deleting its CRD does; no events (watches are closed). */
  dropResource(resource: FakeResource): void {
    for (const object of this.bucket(resource).values()) this.liveUids.delete(text(metaOf(object).uid));
    this.byResource.delete(resourceId(resource));
  }

  private remove(resource: FakeResource, current: JsonObject): JsonObject {
    const meta = metaOf(current);
    const key = `${str(meta.namespace) ?? ''}/${text(meta.name)}`;
    this.bucket(resource).delete(key);
    this.liveUids.delete(text(meta.uid));
    const gone = { ...current, metadata: { ...meta, resourceVersion: String(this.history.next()) } };
    this.history.record({
      resourceVersion: this.history.resourceVersion,
      resource: resourceId(resource),
      type: 'DELETED',
      object: gone,
    });
    this.collectGarbage(resource, gone);
    return gone;
  }

  /**
   * Background cascading deletion: dependents whose every owner is gone are deleted, and a
   * deleted Namespace takes its objects with it.
   */
  private collectGarbage(resource: FakeResource, gone: JsonObject): void {
    const meta = metaOf(gone);
    const deletedNamespace =
      resource.group === '' && resource.plural === 'namespaces' ? text(meta.name) : undefined;
    for (const [id, bucket] of this.byResource) {
      const dependentResource = this.resolveResource(id);
      if (!dependentResource) continue;
      for (const object of [...bucket.values()]) {
        const m = metaOf(object);
        const owners = Array.isArray(m.ownerReferences) ? m.ownerReferences.filter(isObject) : [];
        const orphaned = owners.length > 0 && owners.every((o) => !this.liveUids.has(text(o.uid)));
        const inDeletedNamespace = deletedNamespace !== undefined && m.namespace === deletedNamespace;
        if ((orphaned || inDeletedNamespace) && bucket.has(`${str(m.namespace) ?? ''}/${text(m.name)}`)) {
          this.delete(dependentResource, str(m.namespace) ?? '', text(m.name));
        }
      }
    }
  }

  private commit(resource: FakeResource, next: JsonObject, previous: JsonObject | undefined): JsonObject {
    const problem = resource.validate?.(next);
    if (problem !== undefined) throw errors.badRequest(problem);
    const resourceVersion = this.history.next();
    const meta: Meta = { ...metaOf(next), resourceVersion: String(resourceVersion) };
    const stored: JsonObject = { ...next, metadata: meta };
    this.bucket(resource).set(`${str(meta.namespace) ?? ''}/${text(meta.name)}`, stored);
    this.liveUids.add(text(meta.uid));
    this.history.record({
      resourceVersion,
      resource: resourceId(resource),
      type: previous ? 'MODIFIED' : 'ADDED',
      object: stored,
      ...(previous ? { previous } : {}),
    });
    return stored;
  }

  private namespaceResource(): FakeResource {
    const resource = this.resolveResource('/v1/namespaces');
    if (!resource) throw new Error('the fake API server serves no namespaces resource');
    return resource;
  }

  private namespaceExists(namespace: string): boolean {
    return this.find(this.namespaceResource(), '', namespace) !== undefined;
  }
}
