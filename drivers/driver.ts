/**
 * The one interface every data-plane driver implements. A driver knows its proxy and the model
 * (operator/model/types.ts); it knows nothing of Kubernetes, the resolver, or who calls it
 * (standalone deployer or in-cluster agent).
 *
 * Contract shared by all drivers:
 * - `render` is pure: same model and target, same bytes. It includes a status endpoint on the
 *   unix socket `statusSocketPath(target.runtimeDir)` that answers `GET /` with `200` and the
 *   configuration hash as the body, which is how a deployer confirms that a reload took.
 * - `validate` runs the proxy's own checker (`nginx -t`, `haproxy -c`) on files already staged in
 *   the runtime directory under the candidate name (see deploy.ts) and never touches what serves.
 * - `start` runs the proxy in the foreground under our supervision; `reload` is graceful.
 * - `applyLive`, where a driver has it, changes what serves without a reload; the status
 *   endpoint then answers the new hash all the same.
 */
import path from 'node:path';
import type { DriverName, GatewayModel } from '../operator/model/types.js';

export interface RenderTarget {
  /** Address every listener binds: a loopback address in standalone, `0.0.0.0` in a pod. */
  readonly bindAddress: string;
  /** Absolute directory holding the configuration, pid file, sockets, logs and temp files. */
  readonly runtimeDir: string;
}

export interface ConfigFile {
  /** Path relative to the runtime directory, using `/`. */
  readonly path: string;
  readonly content: string;
  /** File mode; certificates and keys are 0o600. Defaults to 0o644. */
  readonly mode?: number;
}

export interface RenderedConfig {
  readonly driver: DriverName;
  /** The main configuration file, also listed in `files`. */
  readonly main: string;
  readonly files: readonly ConfigFile[];
  /** sha256 over every file's path and content: equal hash, nothing to do. */
  readonly hash: string;
}

export type ValidationResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The checker's own words, trimmed to the relevant lines. */
      readonly message: string;
      /** Model rule ids the failing line belongs to, when the driver can tell. */
      readonly ruleIds: readonly string[];
    };

export interface ProxyExit {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface ProxyProcess {
  /** pid of the master process: it survives reloads. */
  readonly pid: number;
  /** Resolves when the master exits, whatever the reason; never rejects. */
  readonly exited: Promise<ProxyExit>;
  /** Ask the master to load the committed configuration, whose hash is `hash`, gracefully. */
  reload(hash: string): Promise<void>;
  /**
   * Resolves true once the status endpoint answers `hash` and none of the workers that ran
   * before the last reload still accepts connections (they may still finish requests in flight):
   * from then on every new connection meets `hash`. False when `timeoutMs` passes first.
   */
  confirm(hash: string, timeoutMs: number): Promise<boolean>;
  /** Graceful stop: finish in-flight requests for up to `graceMs`, then kill. Resolves once gone. */
  stop(graceMs: number): Promise<ProxyExit>;
  /** Everything the proxy wrote to stderr so far (bounded), for error messages. */
  stderrTail(): string;
}

export interface Driver {
  readonly name: DriverName;
  /** Upstream conformance feature names this driver passes (GatewayClass.status.supportedFeatures). */
  readonly supportedFeatures: readonly string[];
  render(model: GatewayModel, target: RenderTarget): RenderedConfig;
  /** Check the staged candidate (`candidatePath(main)`) with the proxy's binary. */
  validate(config: RenderedConfig, runtimeDir: string): Promise<ValidationResult>;
  /** Start the proxy on the committed configuration in `runtimeDir`. */
  start(config: RenderedConfig, runtimeDir: string): Promise<ProxyProcess>;
  /**
   * Optional, for proxies with a runtime API: make the running proxy serve `next` without a
   * reload, when `next` differs from `served` (what it was last confirmed to serve, rendered for
   * the same `target`) only in ways the API can apply, such as the endpoints of existing
   * upstreams, and the running proxy has room for them.
   *
   * Resolves true once the proxy serves `next` and its status endpoint answers `next`'s hash; the
   * deployer must then stage, validate and commit `next`'s files, without reloading, so that the
   * next (re)load loads the same. Resolves false, having changed nothing, when `next` needs a
   * reload. Rejects when the proxy refused part of the update: what serves may then be a mix of
   * both, and the deployer reloads `next` to repair it.
   */
  applyLive?(served: GatewayModel, next: GatewayModel, target: RenderTarget): Promise<boolean>;
}

export function statusSocketPath(runtimeDir: string): string {
  return path.join(runtimeDir, 'status.sock');
}

/** Where a file is staged for validation before it replaces the one the proxy reads. */
export function candidatePath(file: string): string {
  return `${file}.next`;
}
