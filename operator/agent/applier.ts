/**
 * The agent's apply sequence for one configuration: drivers/deploy.ts's steps around a proxy it
 * does not own. Stage beside the live files, check with the proxy's own binary, commit, then
 * reload the running proxy, or, when nothing serves yet, let the proxy container (which waits
 * for the main file) start on it; confirm through the status socket; prune old certificates.
 * Until the confirmation the previous configuration keeps serving.
 */
import path from 'node:path';
import type { Driver, RenderedConfig } from '../../drivers/driver.js';
import {
  commitFiles,
  confirmServed,
  pruneFiles,
  readServedHash,
  stageFiles,
  writeFileAtomic,
} from '../../drivers/deploy.js';
import type { ProcessRef } from '../../drivers/procfs.js';
import type { Logger } from '../log.js';
import { finishLoad, nginxErrorTail, prepareLoad, reloadProxy, ReloadRefusedError } from './proxyControl.js';

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly reloaded: boolean }
  /** The proxy's checker, or the proxy itself on reload, refused it; the previous one serves. */
  | { readonly kind: 'refused'; readonly message: string };

export interface ApplierOptions {
  readonly driver: Driver;
  readonly runtimeDir: string;
  /** How long a reload, or the proxy's first start, may take to serve the new hash. */
  readonly confirmTimeoutMs: number;
  readonly logger: Logger;
}

/** Thrown when `stop` interrupts an apply; the pod is going away, so nothing is left to do. */
export class ApplyStoppedError extends Error {}

export class Applier {
  /** What this agent last applied: restored as the main file when a reload does not take. */
  private current: RenderedConfig | undefined;

  constructor(private readonly options: ApplierOptions) {}

  /** The hash the proxy serves now, if it answers. */
  served(): Promise<string | undefined> {
    return readServedHash(this.options.runtimeDir, 500);
  }

  /** Throws (the caller retries) when the proxy does not confirm for a reason other than refusal. */
  async apply(config: RenderedConfig, signal: AbortSignal): Promise<ApplyOutcome> {
    const { driver, runtimeDir } = this.options;
    stageFiles(config, runtimeDir);
    const checked = await driver.validate(config, runtimeDir);
    if (!checked.ok) return { kind: 'refused', message: checked.message };
    // Stopping: leave what serves alone rather than start a reload nobody will confirm.
    if (signal.aborted) throw new ApplyStoppedError('the agent is stopping');
    const before = await this.served();
    if (before !== config.hash) prepareLoad(driver.name, runtimeDir, config.hash);
    commitFiles(config, runtimeDir);
    const refusal = await this.load(config, before, signal);
    if (refusal !== undefined) return this.refusedByProxy(refusal);
    await finishLoad(driver.name, runtimeDir, config.hash);
    await pruneFiles(config, runtimeDir);
    this.current = config;
    return { kind: 'applied', reloaded: before !== undefined && before !== config.hash };
  }

  /**
   * Have the proxy load the committed `config`: reload it if it serves something else (`before`),
   * else wait for it to start. Resolves the proxy's reason when it refused, undefined once it
   * serves the new hash.
   */
  private async load(
    config: RenderedConfig,
    before: string | undefined,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const { driver, runtimeDir, logger, confirmTimeoutMs } = this.options;
    const reloading = before !== undefined && before !== config.hash;
    let retiring: readonly ProcessRef[] = [];
    if (reloading) {
      try {
        retiring = await reloadProxy(driver.name, runtimeDir, confirmTimeoutMs);
      } catch (error) {
        if (error instanceof ReloadRefusedError) return error.message;
        throw error;
      }
    } else if (before === undefined) {
      logger.info('Waiting for the proxy to start on its first configuration', { hash: config.hash });
    }
    if (await this.confirm(config.hash, retiring, signal)) return undefined;
    const now = await this.served();
    // nginx reports nothing back on a failed reload: still serving the old hash is the sign.
    // HAProxy's counters already told (ReloadRefusedError); here it is only slow: retry.
    if (driver.name === 'nginx' && reloading && now === before) {
      const detail = await nginxErrorTail(runtimeDir);
      return `nginx kept its previous configuration${detail ? `:\n${detail}` : ''}`;
    }
    throw new Error(
      `${driver.name} did not serve configuration ${config.hash.slice(0, 12)} within ${confirmTimeoutMs} ms (it serves ${now ?? 'nothing'})`,
    );
  }

  /**
   * Put the main file the proxy still runs on back in place, so that a restart of the proxy
   * container does not load the configuration its reload just refused.
   */
  private refusedByProxy(message: string): ApplyOutcome {
    const previous = this.current;
    const main = previous?.files.find((file) => file.path === previous.main);
    if (previous && main) writeFileAtomic(path.join(this.options.runtimeDir, previous.main), main.content);
    return { kind: 'refused', message };
  }

  /**
   * Polls the status socket until it answers `hash` and none of `retiring` (the workers from
   * before the reload) still listens; false on timeout. Throws ApplyStoppedError when `signal`
   * aborts.
   */
  private async confirm(
    hash: string,
    retiring: readonly ProcessRef[],
    signal: AbortSignal,
  ): Promise<boolean> {
    const { runtimeDir, confirmTimeoutMs } = this.options;
    const confirmed = await confirmServed(runtimeDir, hash, retiring, {
      timeoutMs: confirmTimeoutMs,
      stop: signal,
    });
    if (signal.aborted) throw new ApplyStoppedError('the agent is stopping');
    return confirmed;
  }
}
