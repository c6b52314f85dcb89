/**
 * One Gateway's proxy in standalone mode: its folder under the state dir, its process, and the
 * configuration it serves. `apply` is the deployer's whole sequence: render, stage, validate with
 * the proxy's binary, commit, start or reload, and confirm through the status socket that the new
 * configuration serves. Until then the previous configuration keeps serving.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { statusSocketPath, type Driver, type ProxyProcess } from '../../drivers/driver.js';
import { commitFiles, pruneFiles, waitForServedHash } from '../../drivers/deploy.js';
import { renderValidated, type RejectedRoute } from '../deploy/index.js';
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
}

export class ProxyRuntime {
  private process: ProxyProcess | undefined;
  private driver: Driver | undefined;
  /** Hash of the full model's rendering (before any route was set aside) that was applied. */
  private appliedHash: string | undefined;
  private rejected: readonly RejectedRoute[] = [];
  private stopping = false;
  /** JSON of the model the proxy serves, so status can tell whether it is the latest one. */
  servedModel: string | undefined;
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
    const wanted = driver.render(model, target).hash;
    if (this.process && this.driver === driver && this.appliedHash === wanted) {
      this.servedModel = JSON.stringify(model);
      return this.rejected;
    }
    if (this.process && this.driver !== driver) await this.stop(model.settings.drainTimeoutSeconds * 1000);

    const { config, rejected } = await renderValidated(driver, model, target);
    await commitFiles(config, dir);
    if (this.process) {
      await this.process.reload();
      if (!(await waitForServedHash(dir, config.hash, RELOAD_CONFIRM_MS))) {
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
    this.servedModel = JSON.stringify(model);
    this.lastError = undefined;
    return rejected;
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
      this.appliedHash = undefined;
      this.servedModel = undefined;
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
      this.appliedHash = undefined;
      this.servedModel = undefined;
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
