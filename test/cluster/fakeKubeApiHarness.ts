/** The fake API server under test, with client-node clients and helpers for its tests. */
import { ApiException, CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { FakeKubeApi, kubeConfigFor, type JsonObject } from '../support/fakeKubeApi/index.js';

export const GW = { group: 'gateway.networking.k8s.io', version: 'v1' };

/** The Status body of a failed client-node call. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ code: number; reason: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = JSON.parse(String(error.body)) as { reason: string; message: string };
    return { code: error.code, reason: body.reason, message: body.message };
  }
  throw new Error('the call succeeded');
}

export function metaOf(object: JsonObject): {
  name: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
} {
  return object.metadata as { name: string; uid: string; resourceVersion: string; generation?: number };
}

export function gateway(name: string, namespace = 'default'): JsonObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace },
    spec: { gatewayClassName: 'gc', listeners: [] },
  };
}

export interface Seen {
  readonly events: { type: string; object: JsonObject }[];
  readonly done: Promise<unknown>;
  readonly abort: () => void;
}

export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error('condition not reached');
}

export interface Harness {
  readonly api: FakeKubeApi;
  readonly kc: KubeConfig;
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  createGateway(name: string, namespace?: string): Promise<JsonObject>;
  /** A client-node Watch whose events are collected; aborted after the test. */
  watch(path: string, query: Record<string, string | boolean | number>): Promise<Seen>;
  /** Replace the server (for options other than the default). */
  restart(options: Parameters<typeof FakeKubeApi.start>[0]): Promise<void>;
}

/** Starts a fresh server before each test of the calling suite and closes it after. */
export function harness(): Harness {
  let api: FakeKubeApi;
  let kc: KubeConfig;
  const watches: Seen[] = [];
  const setUp = async (options: Parameters<typeof FakeKubeApi.start>[0]): Promise<void> => {
    api = await FakeKubeApi.start(options);
    kc = kubeConfigFor(api);
  };
  beforeEach(() => setUp({ notInstalled: ['tcproutes.gateway.networking.k8s.io'] }));
  afterEach(async () => {
    for (const w of watches.splice(0)) w.abort();
    await api.close();
  });
  const h: Harness = {
    get api() {
      return api;
    },
    get kc() {
      return kc;
    },
    get custom() {
      return kc.makeApiClient(CustomObjectsApi);
    },
    get core() {
      return kc.makeApiClient(CoreV1Api);
    },
    createGateway: async (name, namespace = 'default') =>
      (await h.custom.createNamespacedCustomObject({
        ...GW,
        namespace,
        plural: 'gateways',
        body: gateway(name, namespace),
      })) as JsonObject,
    async watch(path, query) {
      const events: Seen['events'] = [];
      let finish: (error: unknown) => void = () => {};
      const done = new Promise<unknown>((resolve) => (finish = resolve));
      const controller = await new Watch(kc).watch(
        path,
        query,
        (type, object) => events.push({ type, object: object as JsonObject }),
        (error) => finish(error ?? null),
      );
      const seen = { events, done, abort: () => controller.abort() };
      watches.push(seen);
      return seen;
    },
    async restart(options) {
      await api.close();
      await setUp(options);
    },
  };
  return h;
}
