/**
 * The http-level blocks (`map`, `split_clients`) that locations refer to through variables. Each is
 * declared once however many locations, hosts or ports use it, and named by a per-kind counter:
 * deterministic because the model is sorted and servers are built in order, and short, because
 * nginx keeps every variable name in one hash with small buckets (rule ids can be long).
 */
import type { NginxExpression } from './quote.js';

export interface MapEntry {
  /**
   * A map key as nginx reads it: `~` and a regex (case-sensitive), or a hostname (hostMap.ts),
   * which nginx compares case-insensitively.
   */
  readonly key: string;
  readonly value: NginxExpression;
}

export interface MapView {
  /**
   * The comment above the block. For a block that belongs to one rule, the rule's source comment,
   * which validate.ts uses to map a checker error (a regex PCRE refuses) back to the rule.
   */
  readonly comment: string;
  readonly input: NginxExpression;
  /** `$gp_<kind>_<n>`; see `bare`. */
  readonly variable: string;
  /** Tried in order (nginx checks regex keys in the order written); the first match wins. */
  readonly entries: readonly MapEntry[];
  readonly fallback: NginxExpression;
}

export interface SplitShare {
  /** `12.34%`, or `*` for the last share (whatever the others leave). */
  readonly percent: string;
  /** An upstream name or a status marker; never empty. */
  readonly value: string;
}

export interface SplitView {
  /** Names the rule that owns the block, for readers and for validate.ts. */
  readonly source: string;
  readonly variable: string;
  readonly shares: readonly SplitShare[];
}

/** What each map kind computes; the prefix of its variables. */
export type MapKind = 'cond' | 'arg' | 'pick' | 'path' | 'query' | 'host';

/**
 * What the builders (conditions.ts, actions.ts, redirect.ts) may do with declarations. Declarations
 * implements it for a whole configuration; fragments.ts records a server block's calls to replay
 * them, in the same order, into a configuration's Declarations.
 */
export interface DeclarationSink {
  /** The variable declared under `key`, declaring it with `build` the first time. */
  once(key: string, build: () => string): string;
  /** Like `once`, for a list of variables. */
  onceList(key: string, build: () => readonly string[]): readonly string[];
  /** Declares a map block; returns its variable, `$gp_<kind>_<n>`. */
  map(kind: MapKind, block: Omit<MapView, 'variable'>): string;
  /** Declares a split_clients block; returns its variable, `$gp_backend_<n>`. */
  split(source: string, shares: readonly SplitShare[]): string;
}

export class Declarations implements DeclarationSink {
  readonly maps: MapView[] = [];
  readonly splits: SplitView[] = [];
  private readonly byKey = new Map<string, string>();
  private readonly listsByKey = new Map<string, readonly string[]>();
  private readonly counts = new Map<string, number>();

  /** The variable declared under `key`, declaring it with `build` the first time. */
  once(key: string, build: () => string): string {
    const known = this.byKey.get(key);
    if (known) return known;
    const declared = build();
    this.byKey.set(key, declared);
    return declared;
  }

  /** Like `once`, for a list of variables. */
  onceList(key: string, build: () => readonly string[]): readonly string[] {
    const known = this.listsByKey.get(key);
    if (known) return known;
    const declared = build();
    this.listsByKey.set(key, declared);
    return declared;
  }

  map(kind: MapKind, block: Omit<MapView, 'variable'>): string {
    const variable = this.next(kind);
    this.maps.push({ ...block, variable });
    return variable;
  }

  split(source: string, shares: readonly SplitShare[]): string {
    const variable = this.next('backend');
    this.splits.push({ source, variable, shares });
    return variable;
  }

  /** How many variables the blocks declare, for variables_hash_max_size. */
  get variableCount(): number {
    return this.maps.length + this.splits.length;
  }

  /** The next variable of `kind`, for a block fragments.ts declares itself. */
  next(kind: string): string {
    const n = this.counts.get(kind) ?? 0;
    this.counts.set(kind, n + 1);
    return `$gp_${kind}_${n}`;
  }
}

/** A declared variable without its `$`, as an expression part wants it. */
export const bare = (declared: string): string => declared.slice(1);
