/**
 * The standalone status file (DESIGN §4): the status of every object we own, as the Kubernetes
 * API would hold it, rewritten atomically after every reconcile.
 */
import { writeFileAtomic } from '../../drivers/deploy.js';
import type { StampedStatus } from './stamp.js';

/**
 * `{"items":[...]}`, sorted, as JSON text; `render` prints the same document. The same bytes as
 * `JSON.stringify({ items }, null, 2)`, built from each item's own text, which is kept per
 * stamped object: with thousands of routes, a change serializes what changed.
 */
export function statusDocument(statuses: readonly StampedStatus[]): string {
  if (statuses.length === 0) return '{\n  "items": []\n}\n';
  const items = statuses
    .map((item) => ({ key: `${item.kind}/${item.metadata.namespace}/${item.metadata.name}`, item }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => itemText(item));
  return `{\n  "items": [\n${items.join(',\n')}\n  ]\n}\n`;
}

const itemTexts = new WeakMap<StampedStatus, string>();

/** One item as it sits in the document: two levels deep, so indented by four spaces. */
function itemText(item: StampedStatus): string {
  let text = itemTexts.get(item);
  if (text === undefined) {
    // Cluster-scoped objects (GatewayClass) have no namespace in the Kubernetes API: omit it too.
    const shown =
      item.metadata.namespace === ''
        ? { ...item, metadata: { name: item.metadata.name, generation: item.metadata.generation } }
        : item;
    text = JSON.stringify(shown, null, 2).replace(/^/gm, '    ');
    itemTexts.set(item, text);
  }
  return text;
}

export async function writeStatusFile(file: string, statuses: readonly StampedStatus[]): Promise<void> {
  await writeFileAtomic(file, statusDocument(statuses));
}
