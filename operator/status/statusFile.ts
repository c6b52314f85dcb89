/**
 * The standalone status file (DESIGN §4): the status of every object we own, as the Kubernetes
 * API would hold it, rewritten atomically after every reconcile.
 */
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import type { StampedStatus } from './stamp.js';

/**
 * `{"items":[...]}`, sorted, as JSON text; `render` prints the same document. The same bytes as
 * `JSON.stringify({ items }, null, 2)`, built from each item's own text.
 */
export function statusDocument(statuses: readonly StampedStatus[]): string {
  return [...statusPieces(statuses)].join('');
}

/** Pieces of about this many characters: a document of megabytes never becomes one string. */
const PIECE_CHARS = 64 * 1024;

/** The document in pieces, for writing: joined, they are statusDocument's text. */
function* statusPieces(statuses: readonly StampedStatus[]): Generator<string> {
  if (statuses.length === 0) {
    yield '{\n  "items": []\n}\n';
    return;
  }
  const items = statuses
    .map((item) => ({ key: `${item.kind}/${item.metadata.namespace}/${item.metadata.name}`, item }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let piece: string[] = ['{\n  "items": [\n'];
  let size = 0;
  for (const [i, { item }] of items.entries()) {
    const text = itemText(item);
    piece.push(i === 0 ? text : `,\n${text}`);
    size += text.length;
    if (size >= PIECE_CHARS) {
      yield piece.join('');
      piece = [];
      size = 0;
    }
  }
  piece.push('\n  ]\n}\n');
  yield piece.join('');
}

/**
 * One item as it sits in the document: two levels deep, so indented by four spaces. Not kept
 * between writes: at 5,000 routes the texts held over 20 MiB, for ~10 ms saved per write, which
 * comes after the change is served.
 */
function itemText(item: StampedStatus): string {
  // Cluster-scoped objects (GatewayClass) have no namespace in the Kubernetes API: omit it too.
  const shown =
    item.metadata.namespace === ''
      ? { ...item, metadata: { name: item.metadata.name, generation: item.metadata.generation } }
      : item;
  return JSON.stringify(shown, null, 2).replace(/^/gm, '    ');
}

/**
 * Replace `file` (temp file, rename) with the document, written piece by piece as it is built:
 * a document of megabytes is never one string, and a change that arrives meanwhile is taken
 * between pieces rather than after the whole document.
 */
export async function writeStatusFile(file: string, statuses: readonly StampedStatus[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o644);
  try {
    for (const piece of statusPieces(statuses)) await handle.write(piece);
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}
