/** What a successful reconcile asks of the queue. */
export interface ReconcileResult {
  /**
   * Run the key again after this many milliseconds even if nothing is added, for state that
   * changes without an event (a certificate nearing expiry, a proxy still starting).
   */
  readonly requeueAfterMs?: number;
}

/**
 * Brings one key's world in line with current state. It gets the key, never the event that
 * caused it, so a missed or duplicated event cannot leave it wrong: every run reads afresh.
 */
export interface Reconciler {
  /** Rebuild `key` from current state; throw to retry with backoff. */
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult>;
}
