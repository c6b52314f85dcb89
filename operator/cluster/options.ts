/** What the cluster controller is given: the command line's flags, resolved, and its dependencies. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Driver, RenderTarget } from '../../drivers/driver.js';
import type { Logger } from '../log.js';
import type { DriverName } from '../model/index.js';
import type { LeaseLocation, RetryOptions } from '../sources/kubernetes/index.js';

export interface LeaderElectionOptions {
  /** Unique per process: two candidates must never share it. */
  readonly identity: string;
  readonly lease: LeaseLocation;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface ClusterControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly drivers: Readonly<Record<DriverName, Driver>>;
  /** The driver for classes without a DataPlaneConfig (`--driver`). */
  readonly defaultDriver: DriverName;
  /** Watch namespaced kinds only here; undefined: every namespace. */
  readonly namespaces?: readonly string[];
  /** Undefined: this process leads from the start. */
  readonly leaderElection?: LeaderElectionOptions;
  /** `:9090`; undefined: no metrics and health server. */
  readonly metricsAddress?: string;
  /** Also export Node's process metrics (CPU, memory, event loop). */
  readonly processMetrics?: boolean;
  /** The gateplane image for proxy pods. */
  readonly image?: string;
  readonly retry?: Partial<RetryOptions>;
  /**
   * What the published configuration binds and where the agent keeps it: CLUSTER_TARGET (all
   * addresses, /var/run/gateplane) unless a test runs the proxy and the agent on this machine.
   */
  readonly renderTarget?: RenderTarget;
  /** The work queue's coalescing window; tests shorten it. */
  readonly coalesceMs?: number;
}
