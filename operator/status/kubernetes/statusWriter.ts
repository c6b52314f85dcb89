/**
 * Writes the computed status to the API server: only objects whose status differs from what the
 * server holds, only objects we own, and with the resourceVersion we compared against as the
 * precondition. On 409 the object is re-read and the comparison made again; most conflicts end
 * there, with nothing left to write.
 *
 * The live view is fed by the watch, which lags our own writes. Each write's result is remembered
 * until the watch shows the object moving past the version we wrote over, so a reconcile that
 * runs in between compares against what we wrote instead of writing the same status again.
 */
import type { Kind } from '../../api/kinds.js';
import { ROUTE_KINDS, type LiveObject } from '../../sources/kubernetes/index.js';
import type { StampedStatus } from '../stamp.js';
import type { StatusClient, StatusTarget } from './statusClient.js';
import { isRouteKind, statusPatch, wantedStatus } from './wantedStatus.js';

/** The API server's view of objects, as the Kubernetes source keeps it. */
export interface LiveStatusView {
  get(kind: Kind, namespace: string, name: string): LiveObject | undefined;
  list(kind: Kind): readonly LiveObject[];
}

export interface StatusWriterOptions {
  readonly client: StatusClient;
  readonly live: LiveStatusView;
  readonly controllerName: string;
  /** Writes in flight at once. */
  readonly concurrency?: number;
  /** Re-read and retry this many times on 409 before giving up on an object for this round. */
  readonly conflictRetries?: number;
}

export interface WriteSummary {
  readonly written: number;
  readonly unchanged: number;
  /** Not ours, gone, not seen yet, or computed from an older generation than the server has. */
  readonly skipped: number;
  readonly conflicts: number;
}

type Outcome = 'written' | 'unchanged' | 'skipped';

interface Job {
  readonly target: StatusTarget;
  readonly generation: number | undefined;
  /** Undefined: remove our entries (a route we no longer report on). */
  readonly computed: Readonly<Record<string, unknown>> | undefined;
}

const keyOf = (t: StatusTarget): string => `${t.kind}/${t.namespace}/${t.name}`;

export class KubeStatusWriter {
  private readonly ahead = new Map<string, { readonly over: string; readonly written: LiveObject }>();
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: StatusWriterOptions) {}

  /**
   * Bring the server in line with `desired`, the complete status of everything we own: a route
   * that is absent from it loses the `status.parents` entries we wrote earlier. Calls are
   * serialized. Throws once, after trying every object, if some could not be written.
   */
  write(desired: readonly StampedStatus[]): Promise<WriteSummary> {
    const run = this.running.then(() => this.writeAll(desired));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async writeAll(desired: readonly StampedStatus[]): Promise<WriteSummary> {
    const jobs = this.jobs(desired);
    // Objects gone from both the desired and the live state leave nothing to remember.
    const keys = new Set(jobs.map((job) => keyOf(job.target)));
    for (const key of this.ahead.keys()) if (!keys.has(key)) this.ahead.delete(key);
    const counts = { written: 0, unchanged: 0, skipped: 0, conflicts: 0 };
    const failures: { target: StatusTarget; error: unknown }[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++];
        if (!job) break;
        try {
          counts[await this.writeOne(job, counts)] += 1;
        } catch (error) {
          failures.push({ target: job.target, error });
        }
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 8 }, worker));
    if (failures.length > 0) {
      const names = failures.slice(0, 5).map((f) => keyOf(f.target));
      throw new Error(`write status: ${failures.length} object(s) failed (${names.join(', ')})`, {
        cause: failures[0]?.error,
      });
    }
    return counts;
  }

  private jobs(desired: readonly StampedStatus[]): Job[] {
    const jobs: Job[] = desired.map((s) => ({
      target: { kind: s.kind, namespace: s.metadata.namespace, name: s.metadata.name },
      generation: s.metadata.generation,
      computed: s.status,
    }));
    const wanted = new Set(jobs.map((j) => keyOf(j.target)));
    for (const kind of ROUTE_KINDS) {
      for (const live of this.options.live.list(kind)) {
        const target = { kind, namespace: live.namespace, name: live.name };
        if (!wanted.has(keyOf(target))) jobs.push({ target, generation: undefined, computed: undefined });
      }
    }
    return jobs;
  }

  private async writeOne(job: Job, counts: { conflicts: number }): Promise<Outcome> {
    const { client, controllerName, conflictRetries = 5 } = this.options;
    const { target } = job;
    let live = this.current(target);
    for (let attempt = 0; attempt <= conflictRetries; attempt++) {
      if (!live || !this.owned(live) || (job.generation !== undefined && live.generation > job.generation)) {
        return 'skipped';
      }
      const wanted = wantedStatus(target.kind, job.computed, live, controllerName);
      if (wanted === live.status) return 'unchanged';
      const patch = { resourceVersion: live.resourceVersion, status: statusPatch(wanted, live.status) };
      const result = await client.patch(target, patch);
      if (result.outcome === 'written') {
        this.ahead.set(keyOf(target), { over: live.resourceVersion, written: result.object });
        return 'written';
      }
      if (result.outcome === 'notFound') return 'skipped';
      counts.conflicts += 1;
      live = await client.read(target);
    }
    throw new Error(
      `write the status of ${keyOf(target)}: still conflicting after ${conflictRetries} retries`,
    );
  }

  /** The freshest state we know: our own write, until the watch has moved past it. */
  private current(target: StatusTarget): LiveObject | undefined {
    const live = this.options.live.get(target.kind, target.namespace, target.name);
    const ahead = this.ahead.get(keyOf(target));
    if (ahead && live?.resourceVersion === ahead.over) return ahead.written;
    this.ahead.delete(keyOf(target));
    return live;
  }

  /** Routes are shared (only our entries are touched); classes and Gateways must be ours. */
  private owned(live: LiveObject): boolean {
    const { controllerName } = this.options;
    switch (live.kind) {
      case 'GatewayClass':
        return live.controllerName === controllerName;
      case 'Gateway': {
        const className = live.gatewayClassName;
        return (
          className !== undefined &&
          this.options.live.get('GatewayClass', '', className)?.controllerName === controllerName
        );
      }
      default:
        return isRouteKind(live.kind);
    }
  }
}
