/**
 * Starts one echo backend per endpoint listed in a set of EndpointSlices, as Kubernetes would
 * run one pod per endpoint: it listens on the endpoint's address and the slice's port, and
 * calls itself by the endpoint's `targetRef` name, in the slice's namespace.
 */
import { loadFiles } from '../../operator/sources/index.js';
import { startEcho, type EchoServer } from './echo.js';

export interface EchoPods {
  readonly pods: readonly { readonly pod: string; readonly namespace: string; readonly url: string }[];
  close(): Promise<void>;
}

export async function startEchoPods(paths: readonly string[]): Promise<EchoPods> {
  const { objects } = await loadFiles(paths);
  const servers: EchoServer[] = [];
  const pods: { pod: string; namespace: string; url: string }[] = [];
  try {
    for (const object of objects) {
      if (object.kind !== 'EndpointSlice') continue;
      const port = object.spec.ports[0]?.port;
      if (port === undefined) continue;
      const namespace = object.metadata.namespace;
      const service = object.metadata.labels['kubernetes.io/service-name'];
      for (const endpoint of object.spec.endpoints) {
        const pod = endpoint.targetRef?.name ?? `${service ?? object.metadata.name}-pod`;
        for (const address of endpoint.addresses) {
          servers.push(await startEcho({ namespace, pod, service }, address, port));
          pods.push({ pod, namespace, url: `http://${address}:${port}/` });
        }
      }
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  return { pods, close: async () => void (await Promise.all(servers.map((s) => s.close()))) };
}
