/**
 * The agent's one write to the API: the annotation on its own pod saying which configuration
 * hash its proxy serves. A JSON merge patch of that one key, without a resourceVersion: the
 * agent is the only writer of the key, and the kubelet's and others' changes to the pod must
 * not make it fail.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { APPLIED_HASH_ANNOTATION } from './bundle.js';

export interface PodAnnotator {
  /** Set `gateplane.io/applied-hash` on the pod; throws with context when the API refuses. */
  annotateAppliedHash(hash: string): Promise<void>;
}

export interface PodLocation {
  readonly namespace: string;
  readonly name: string;
}

export function clientNodePodAnnotator(kc: KubeConfig, pod: PodLocation): PodAnnotator {
  const api = kc.makeApiClient(CoreV1Api);
  // client-node's typed patch calls default to JSON patch; say which kind this body is.
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    async annotateAppliedHash(hash) {
      const body = { metadata: { annotations: { [APPLIED_HASH_ANNOTATION]: hash } } };
      try {
        await api.patchNamespacedPod({ ...pod, body }, mergePatch);
      } catch (cause) {
        throw new Error(`annotate Pod ${pod.namespace}/${pod.name} with the applied hash`, { cause });
      }
    },
  };
}
