/**
 * The standalone status file (DESIGN §4): the status of every object we own, as the Kubernetes
 * API would hold it, rewritten atomically after every reconcile.
 */
import { writeFileAtomic } from '../../drivers/deploy.js';
import type { StampedStatus } from './stamp.js';

/** `{"items":[...]}`, sorted, as JSON text; `render` prints the same document. */
export function statusDocument(statuses: readonly StampedStatus[]): string {
  const items = [...statuses]
    .sort((a, b) => {
      const x = `${a.kind}/${a.metadata.namespace}/${a.metadata.name}`;
      const y = `${b.kind}/${b.metadata.namespace}/${b.metadata.name}`;
      return x < y ? -1 : x > y ? 1 : 0;
    })
    // Cluster-scoped objects (GatewayClass) have no namespace in the Kubernetes API: omit it too.
    .map((item) =>
      item.metadata.namespace === ''
        ? { ...item, metadata: { name: item.metadata.name, generation: item.metadata.generation } }
        : item,
    );
  return `${JSON.stringify({ items }, null, 2)}\n`;
}

export async function writeStatusFile(file: string, statuses: readonly StampedStatus[]): Promise<void> {
  await writeFileAtomic(file, statusDocument(statuses));
}
