/** Route statuses and views of them, for the status writer's tests. */
import { CONTROLLER_NAME } from '../../operator/model/index.js';
import { LiveObjects, parseLiveObject } from '../../operator/sources/kubernetes/index.js';
import type { StampedStatus } from '../../operator/status/index.js';
import type { LiveStatusView } from '../../operator/status/kubernetes/index.js';
import type { FakeKubeApi, JsonObject, RecordedRequest } from '../support/fakeKubeApi/index.js';

export const OTHER = 'example.com/other-controller';
export const T0 = '2026-01-01T00:00:00Z';

export function parentRef(namespace: string) {
  return { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace, name: 'gw' };
}

export type RouteStatus = Extract<StampedStatus, { kind: 'HTTPRoute' }>;

export function routeStatus(name: string, generation: number, controllerName = CONTROLLER_NAME): RouteStatus {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { namespace: 'default', name, generation },
    status: {
      parents: [
        {
          parentRef: parentRef('default'),
          controllerName,
          conditions: [
            {
              type: 'Accepted',
              status: 'True',
              reason: 'Accepted',
              message: 'ok',
              observedGeneration: generation,
              lastTransitionTime: T0,
            },
          ],
        },
      ],
    },
  };
}

export function otherControllersEntry(): JsonObject {
  return {
    parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name: 'theirs' },
    controllerName: OTHER,
    conditions: [
      {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message: 'theirs',
        observedGeneration: 1,
        lastTransitionTime: T0,
      },
    ],
  };
}

export const json = (value: unknown): JsonObject => JSON.parse(JSON.stringify(value)) as JsonObject;

export const statusPatches = (api: FakeKubeApi, plural = 'httproutes'): RecordedRequest[] =>
  api.writes((r) => r.method === 'PATCH' && r.path.includes(`/${plural}/`) && r.path.endsWith('/status'));

export function parentsOf(api: FakeKubeApi, name: string): JsonObject[] {
  const route = api.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'default', name);
  return ((route?.status as JsonObject | undefined)?.parents ?? []) as JsonObject[];
}

/** A live view frozen at the moment it is taken, as a watch that lags behind would be. */
export function frozenView(api: FakeKubeApi, names: readonly string[]): LiveStatusView {
  const view = new LiveObjects();
  for (const name of names) {
    const object = parseLiveObject(
      'HTTPRoute',
      api.get('gateway.networking.k8s.io/v1', 'HTTPRoute', 'default', name),
    );
    if (object) view.set(object);
  }
  return view;
}
