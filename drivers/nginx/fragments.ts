/**
 * Rendering a server block once and reusing its text while its inputs stay the same.
 *
 * A server block's text depends on its port, virtual host, listen address and certificate paths,
 * on a little of the upstreams (see `upstreamState`), and on the http-level blocks (maps,
 * split_clients) it declares: their variables are numbered per configuration, in the order server
 * blocks declare them, and a block declared by an earlier server (same key, see Declarations.once)
 * is shared rather than declared again. So a server block is built against a Recorder, which hands
 * out placeholders (`\0<n>\0`, see quote.ts) instead of numbered variables and records every call
 * in order, with the text of each block it declares. `replay` then makes the same calls on the
 * configuration's Declarations, in the same order, which numbers and shares exactly as building
 * the block there would have, and writes the final names into the recorded text.
 *
 * Recorded builds are only valid if a `once` key determines what its build declares, which
 * Declarations already relies on: a second `once` with a known key never runs its build.
 *
 * The one other thing that differs from one configuration to the next is the generation in each
 * server's handover `listen` (handover.ts): it is built as a placeholder too, filled in last.
 */
import type { Upstream } from '../../operator/model/types.js';
import type {
  DeclarationSink,
  Declarations,
  MapKind,
  MapView,
  SplitShare,
  SplitView,
} from './declarations.js';

/**
 * Text with placeholders: a string is literal text, a number the n-th variable of the block, or
 * GENERATION for the configuration's generation.
 */
export type Parts = readonly (string | number)[];

export const GENERATION = -1;
/** Stands for the generation in a block's text until `fill`. */
export const GENERATION_PLACEHOLDER = '\0g\0';

const PLACEHOLDERS = /\0(\d+|g)\0/;

export function toParts(text: string): Parts {
  const pieces = text.split(PLACEHOLDERS);
  const parts: (string | number)[] = [];
  pieces.forEach((piece, i) => {
    if (i % 2 === 1) parts.push(piece === 'g' ? GENERATION : Number(piece));
    else if (piece !== '') parts.push(piece);
  });
  return parts;
}

/**
 * Fill in the placeholders: `names[n]` is the n-th variable's name without `$`; `generation` is
 * needed only by text holding GENERATION.
 */
export function fill(parts: Parts, names: readonly (string | undefined)[], generation?: string): string {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    if (part === GENERATION) {
      if (generation === undefined) throw new Error('internal: no generation to fill in');
      text += generation;
      continue;
    }
    const name = names[part];
    if (name === undefined) throw new Error(`internal: placeholder ${part} was never declared`);
    text += name;
  }
  return text;
}

export type Step =
  | {
      readonly kind: 'once';
      readonly key: string;
      /** What the build returned: placeholders, `$`-prefixed or bare. */
      readonly result: string | readonly string[];
      /** The build's own calls; replayed only when the configuration does not know `key` yet. */
      readonly steps: readonly Step[];
    }
  | {
      readonly kind: 'block';
      readonly into: 'maps' | 'splits';
      /** The counter the variable is numbered by: a map kind, or `backend` for a split. */
      readonly counter: string;
      readonly id: number;
      readonly text: Parts;
    };

export interface BlockRenderers {
  readonly map: (view: MapView) => string;
  readonly split: (view: SplitView) => string;
}

/** A DeclarationSink that records, for one server block. */
export class Recorder implements DeclarationSink {
  readonly steps: Step[] = [];
  private current: Step[] = this.steps;
  private readonly known = new Map<string, { result: string | readonly string[]; steps: readonly Step[] }>();
  private count = 0;

  constructor(private readonly render: BlockRenderers) {}

  once(key: string, build: () => string): string {
    return this.record(key, build);
  }

  onceList(key: string, build: () => readonly string[]): readonly string[] {
    return this.record(key, build);
  }

  map(kind: MapKind, block: Omit<MapView, 'variable'>): string {
    const id = this.count++;
    const variable = `$\0${id}\0`;
    this.current.push({
      kind: 'block',
      into: 'maps',
      counter: kind,
      id,
      text: toParts(this.render.map({ ...block, variable })),
    });
    return variable;
  }

  split(source: string, shares: readonly SplitShare[]): string {
    const id = this.count++;
    const variable = `$\0${id}\0`;
    const text = toParts(this.render.split({ source, variable, shares }));
    this.current.push({ kind: 'block', into: 'splits', counter: 'backend', id, text });
    return variable;
  }

  private record<T extends string | readonly string[]>(key: string, build: () => T): T {
    const known = this.known.get(key);
    if (known) {
      // Known here, but maybe not in the configuration this is replayed into: keep the build.
      this.current.push({ kind: 'once', key, ...known });
      return known.result as T;
    }
    const outer = this.current;
    const steps: Step[] = [];
    this.current = steps;
    let result: T;
    try {
      result = build();
    } finally {
      this.current = outer;
    }
    this.known.set(key, { result, steps });
    outer.push({ kind: 'once', key, result, steps });
    return result;
  }
}

/** The http-level blocks of a configuration, as text, in declaration order. */
export interface Blocks {
  readonly maps: string[];
  readonly splits: string[];
}

const RESULT = /^(\$?)\0(\d+)\0$/;

function bind(local: string, declared: string, names: (string | undefined)[]): void {
  const match = RESULT.exec(local);
  const dollar = match?.[1] ?? '';
  if (!match || (dollar === '$') !== declared.startsWith('$'))
    throw new Error(`internal: cannot bind ${JSON.stringify(local)} to ${declared}`);
  const id = Number(match[2]);
  const name = dollar ? declared.slice(1) : declared;
  if (names[id] !== undefined && names[id] !== name)
    throw new Error(`internal: placeholder ${id} bound to ${names[id]} and ${name}`);
  names[id] = name;
}

function resolved(local: string, names: readonly (string | undefined)[]): string {
  const match = RESULT.exec(local);
  const name = match ? names[Number(match[2])] : undefined;
  if (!match || name === undefined) throw new Error(`internal: ${JSON.stringify(local)} is not declared`);
  return `${match[1]}${name}`;
}

/**
 * Make the recorded calls on `declarations`, appending the blocks declared for the first time to
 * `blocks`; fills `names` (placeholder → variable name without `$`).
 */
export function replay(
  steps: readonly Step[],
  declarations: Declarations,
  blocks: Blocks,
  names: (string | undefined)[],
): void {
  for (const step of steps) {
    if (step.kind === 'block') {
      const variable = declarations.next(step.counter);
      bind(`$\0${step.id}\0`, variable, names);
      blocks[step.into].push(fill(step.text, names));
    } else if (typeof step.result === 'string') {
      const local = step.result;
      const declared = declarations.once(step.key, () => {
        replay(step.steps, declarations, blocks, names);
        return resolved(local, names);
      });
      bind(local, declared, names);
    } else {
      const local = step.result;
      const declared = declarations.onceList(step.key, () => {
        replay(step.steps, declarations, blocks, names);
        return local.map((one) => resolved(one, names));
      });
      if (declared.length !== local.length) throw new Error(`internal: ${step.key} changed length`);
      local.forEach((one, i) => bind(one, declared[i] ?? '', names));
    }
  }
}

/**
 * What a server block reads of an upstream (backends.ts `targetOf`): whether it exists, and
 * whether it has endpoints (an empty one answers 503). Anything more read there must show here.
 */
export function upstreamState(upstream: Upstream | undefined): string {
  return upstream === undefined ? '-' : upstream.endpoints.length > 0 ? '+' : '0';
}
