/**
 * One Gateway's proxy in standalone mode: its folder under the state dir, its process, and the
 * configuration it serves. `apply` is the deployer's whole sequence: render, stage, validate with
 * the proxy's binary, commit, start or reload, and confirm through the status socket that the new
 * configuration serves. Until then the previous configuration keeps serving.
 *
 * A change the driver can make live (Driver.applyLive: HAProxy's endpoints and mapped routes)
 * skips the reload: the files are staged, the running proxy is updated, so that traffic moves
 * without waiting for the checker, and the files are then validated and committed for the next
 * (re)load.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  statusSocketPath,
  type Driver,
  type ProxyProcess,
  type RenderedConfig,
  type RenderTarget,
} from '../../drivers/driver.js';
import { commitFiles, pruneFiles, stageFiles, waitForServedHash } from '../../drivers/deploy.js';
import { modelDigest } from '../../drivers/hash.js';
import { renderValidated, type RejectedRoute } from '../deploy/index.js';
import { describeError } from '../log.js';
import type { DriverName, GatewayModel } from '../model/index.js';
import { stopStrayProcess } from './strayProcess.js';

/** Unix socket paths are limited to 107 bytes on Linux, and HAProxy keeps 10 of them for itself. */
const MAX_SOCKET_PATH = 97;
const RELOAD_CONFIRM_MS = 10_000;

export interface ProxyRuntimeOptions {
  readonly dir: string;
  readonly drivers: Readonly<Record<DriverName, Driver>>;
  /** Called when the proxy exits without being asked to. */
  readonly onUnexpectedExit: (detail: string) => void;
  /**
   * Called when the proxy refused a live update (not when one simply was not possible); the
   * change is then applied with a reload, which also repairs a half-applied live update.
   */
  readonly onLiveUpdateRefused?: (detail: string) => void;
}

export class ProxyRuntime {
  private process: ProxyProcess | undefined;
  private driver: Driver | undefined;
  /** Hash of the full model's rendering (before any route was set aside) that was applied. */
  private appliedHash: string | undefined;
  private rejected: readonly RejectedRoute[] = [];
  private stopping = false;
  /** What the proxy was last confirmed to serve: what a live update starts from. */
  private served: { readonly model: GatewayModel; readonly target: RenderTarget } | undefined;
  /** Digest of the model the proxy serves, so status can tell whether it is the latest one. */
  private servedModel: string | undefined;
  lastError: string | undefined;

  constructor(private readonly options: ProxyRuntimeOptions) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /**
   * Serve `model`. Routes the proxy refuses are set aside and returned; the rest is served.
   * Throws, leaving the previous configuration serving, when nothing valid can be built or the
   * proxy does not take it.
   */
  async apply(model: GatewayModel, bindAddress: string): Promise<readonly RejectedRoute[]> {
    const { dir } = this.options;
    if (statusSocketPath(dir).length > MAX_SOCKET_PATH) {
      throw new Error(`state folder ${dir} is too deep for a unix socket path; use a shorter --state-dir`);
    }
    const driver = this.options.drivers[model.driver];
    const target = { bindAddress, runtimeDir: dir };
    const next = driver.render(model, target);
    const wanted = next.hash;
    if (this.process && this.driver === driver && this.appliedHash === wanted) {
      this.markServed(model, target);
      return this.rejected;
    }
    if (this.process && this.driver !== driver) await this.stop(model.settings.drainTimeoutSeconds * 1000);
    const live = await this.applyLive(driver, { model, target, next });
    if (live === 'applied') return this.rejected;

    const { config, rejected } = await renderValidated(driver, model, target, {
      config: next,
      staged: live === 'staged',
    });
    commitFiles(config, dir);
    if (this.process) {
      await this.process.reload(config.hash);
      if (!(await this.process.confirm(config.hash, RELOAD_CONFIRM_MS))) {
        throw new Error(
          `${driver.name} did not serve the new configuration within ${RELOAD_CONFIRM_MS} ms: ${this.process.stderrTail()}`,
        );
      }
    } else {
      await stopStrayProcess(this.pidFile());
      this.process = await driver.start(config, dir);
      this.driver = driver;
      await writeFile(this.pidFile(), `${this.process.pid}\n`);
      this.watchExit(this.process);
    }
    await pruneFiles(config, dir);
    this.appliedHash = wanted;
    this.rejected = rejected;
    this.markServed(model, target);
    this.lastError = undefined;
    return rejected;
  }

  /**
   * The live path; anything but 'applied' means "reload instead", 'staged' with `next`'s files
   * already staged. Taken only when the running proxy serves the whole of the previous model:
   * with routes set aside it serves another configuration, which the live update cannot start
   * from.
   */
  private async applyLive(
    driver: Driver,
    { model, target, next }: { model: GatewayModel; target: RenderTarget; next: RenderedConfig },
  ): Promise<'applied' | 'staged' | 'not staged'> {
    const { dir } = this.options;
    const served = this.served;
    if (!this.process || this.driver !== driver || !driver.applyLive || !served) return 'not staged';
    if (this.rejected.length > 0 || JSON.stringify(served.target) !== JSON.stringify(target))
      return 'not staged';
    // The files first: a state folder that cannot take them (disk full, not writable) fails the
    // update here, before traffic moves, and the previous configuration keeps serving. They are
    // only the candidate until validated and committed below.
    stageFiles(next, dir);
    try {
      if (!(await driver.applyLive(served.model, model, target))) return 'staged';
    } catch (error) {
      // What serves may be half updated: the reload of the whole configuration repairs it.
      this.options.onLiveUpdateRefused?.(describeError(error));
      return 'staged';
    }
    await this.commitLive(driver, next);
    this.appliedHash = next.hash;
    this.markServed(model, target);
    this.lastError = undefined;
    return 'applied';
  }

  /**
   * After a live update: confirm the proxy answers the new hash, then validate and commit the
   * staged files. Traffic already moved, but the committed files still describe the previous
   * state, and what the proxy loads next time (a reload for another change, a restart) must be
   * what serves now.
   */
  private async commitLive(driver: Driver, next: RenderedConfig): Promise<void> {
    const { dir } = this.options;
    try {
      if (!(await waitForServedHash(dir, next.hash, RELOAD_CONFIRM_MS))) {
        throw new Error(
          `${driver.name} did not report the live update as served within ${RELOAD_CONFIRM_MS} ms`,
        );
      }
      const verdict = await driver.validate(next, dir);
      if (!verdict.ok) {
        throw new Error(
          `${driver.name} serves an update live, but rejects it as a configuration file: ${verdict.message}`,
        );
      }
      commitFiles(next, dir);
      await pruneFiles(next, dir);
    } catch (error) {
      // What serves is no longer what `served` says: the next attempt must reload.
      this.clearServed();
      throw error;
    }
  }

  /**
   * Whether the proxy serves `model`. The resolution hands out the same model object until the
   * inputs change, so identity answers most calls without serializing thousands of routes.
   */
  serves(model: GatewayModel | undefined): boolean {
    if (model !== undefined && this.served?.model === model) return true;
    return this.servedModel === (model === undefined ? undefined : modelDigest(model));
  }

  private markServed(model: GatewayModel, target: RenderTarget): void {
    this.served = { model, target };
    this.servedModel = modelDigest(model);
  }

  private clearServed(): void {
    this.appliedHash = undefined;
    this.served = undefined;
    this.servedModel = undefined;
  }

  /** Stop the proxy gracefully; the folder stays unless `remove` is set. */
  async stop(graceMs: number, remove = false): Promise<void> {
    const process = this.process;
    this.stopping = true;
    try {
      if (process) await process.stop(graceMs);
    } finally {
      this.process = undefined;
      this.driver = undefined;
      this.clearServed();
      this.stopping = false;
    }
    await rm(this.pidFile(), { force: true });
    if (remove) await rm(this.options.dir, { recursive: true, force: true });
  }

  private pidFile(): string {
    return path.join(this.options.dir, 'master.pid');
  }

  private watchExit(process: ProxyProcess): void {
    void process.exited.then(async (exit) => {
      if (this.process !== process || this.stopping) return;
      this.process = undefined;
      this.clearServed();
      this.lastError = `the proxy exited unexpectedly (code ${exit.code ?? 'none'}, signal ${exit.signal ?? 'none'}): ${process.stderrTail()}`;
      await rm(this.pidFile(), { force: true });
      this.options.onUnexpectedExit(this.lastError);
    });
  }
}

/** What the pid file of a runtime folder says, for tests and tools. */
export async function readMasterPid(dir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dir, 'master.pid'), 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
