/**
 * The echo "pods" behind the base Services (reference §2.2): one echo server per replica, each on
 * its own loopback address and port 3000 as a pod would be, named `<deployment>-<rs-hash>-<pod-hash>`
 * and knowing its namespace, like echo-basic with POD_NAME and NAMESPACE set (SERVICE_NAME unset),
 * and honouring X-Echo-Set-Header as echo-basic does (test/support/echo.ts).
 */
import type { EchoServer } from '../../support/echo.js';
import { startEcho } from '../../support/echo.js';
import { APP, INFRA, WEB } from './manifests.js';

export interface BackendPod {
  readonly deployment: string;
  readonly namespace: string;
  readonly name: string;
  readonly address: string;
}

/** Only the Deployments the replayed tests reach. */
const DEPLOYMENTS = [
  { name: 'infra-backend-v1', namespace: INFRA, replicas: 2 },
  { name: 'infra-backend-v2', namespace: INFRA, replicas: 2 },
  { name: 'infra-backend-v3', namespace: INFRA, replicas: 1 },
  { name: 'app-backend-v1', namespace: APP, replicas: 2 },
  { name: 'app-backend-v2', namespace: APP, replicas: 2 },
  { name: 'web-backend', namespace: WEB, replicas: 2 },
] as const;

export const POD_PORT = 3000;

/** Kubernetes' name suffix alphabet (no vowels, no look-alikes), seeded so names are stable. */
function suffix(seed: string, length: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let hash = 2166136261;
  for (const ch of seed) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[hash % alphabet.length];
    hash = Math.imul(hash ^ (i + 1), 2654435761) >>> 0;
  }
  return out;
}

/** Pods on 127.20.<deployment>.<replica>. */
export function backendPods(): BackendPod[] {
  return DEPLOYMENTS.flatMap((d, index) => {
    const replicaSet = `${d.name}-${suffix(d.name, 10)}`;
    return Array.from({ length: d.replicas }, (_, replica) => ({
      deployment: d.name,
      namespace: d.namespace,
      name: `${replicaSet}-${suffix(`${replicaSet}/${replica}`, 5)}`,
      address: `127.20.${index + 1}.${replica + 1}`,
    }));
  });
}

export const podsOf = (pods: readonly BackendPod[], deployment: string): BackendPod[] =>
  pods.filter((p) => p.deployment === deployment);

export async function startBackendPods(pods: readonly BackendPod[]): Promise<{ close(): Promise<void> }> {
  const servers: EchoServer[] = [];
  const close = async (): Promise<void> => void (await Promise.all(servers.map((s) => s.close())));
  try {
    for (const pod of pods)
      servers.push(await startEcho({ namespace: pod.namespace, pod: pod.name }, pod.address, POD_PORT));
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
