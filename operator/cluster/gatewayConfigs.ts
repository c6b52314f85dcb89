/**
 * The configuration to publish for each Gateway, built once per model: validate with the proxy's
 * binary in a scratch folder (routes it refuses are set aside), then render the same filtered
 * model for the pod's paths. Only the paths differ between the two renderings, so what passed the
 * check is what the agent gets. Store changes re-run every Gateway's reconcile; the memo keeps
 * that from running `nginx -t` for Gateways whose model did not change.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Driver, RenderedConfig, RenderTarget } from '../../drivers/driver.js';
import { ConfigRejectedError, renderValidated, type RejectedRoute } from '../deploy/index.js';
import { withoutRoutes } from '../model/exclude.js';
import type { DriverName, GatewayModel } from '../model/index.js';
import { ControllerMetrics } from './metrics.js';

export interface GatewayConfig {
  /** JSON of the model it was built from. */
  readonly model: string;
  /** Rendered for the pod (`target`), without the rejected routes. */
  readonly config: RenderedConfig;
  readonly rejected: readonly RejectedRoute[];
}

export interface GatewayConfigsOptions {
  readonly drivers: Readonly<Record<DriverName, Driver>>;
  /** Scratch folders for validation go below it, one per Gateway. */
  readonly scratchRoot: string;
  readonly metrics: ControllerMetrics;
  /** The pod's view: bind address and runtime directory. */
  readonly target: RenderTarget;
}

type Memo = GatewayConfig | { readonly model: string; readonly failure: ConfigRejectedError };

export class GatewayConfigs {
  private readonly memo = new Map<string, Memo>();

  constructor(private readonly options: GatewayConfigsOptions) {}

  /**
   * The configuration for `model` and whether it was built just now. Throws ConfigRejectedError
   * when the proxy refuses the configuration even without any route (remembered for the model).
   */
  async build(key: string, model: GatewayModel): Promise<{ built: GatewayConfig; fresh: boolean }> {
    const json = JSON.stringify(model);
    const known = this.memo.get(key);
    if (known?.model === json) {
      if ('failure' in known) throw known.failure;
      return { built: known, fresh: false };
    }
    const { drivers, metrics, target } = this.options;
    const driver = drivers[model.driver];
    const scratch = { bindAddress: target.bindAddress, runtimeDir: this.scratchFolder(key) };
    // Users read the checker's words in status: the scratch folder means nothing to them.
    const clean = (text: string): string => text.replaceAll(`${scratch.runtimeDir}/`, '');
    let rejected: readonly RejectedRoute[];
    const checking = performance.now();
    try {
      const validated = await renderValidated(driver, model, scratch);
      rejected = validated.rejected.map(({ route, message }) => ({ route, message: clean(message) }));
    } catch (error) {
      if (!(error instanceof ConfigRejectedError)) throw error;
      const failure = new ConfigRejectedError(error.driver, clean(error.detail));
      this.memo.set(key, { model: json, failure });
      throw failure;
    } finally {
      metrics.validateSeconds.observe({ driver: driver.name }, ControllerMetrics.since(checking));
    }
    const served = rejected.length > 0 ? withoutRoutes(model, new Set(rejected.map((r) => r.route))) : model;
    const rendering = performance.now();
    const config = driver.render(served, target);
    metrics.renderSeconds.observe({ driver: driver.name }, ControllerMetrics.since(rendering));
    const built = { model: json, config, rejected };
    this.memo.set(key, built);
    return { built, fresh: true };
  }

  async forget(key: string): Promise<void> {
    this.memo.delete(key);
    await rm(this.scratchFolder(key), { recursive: true, force: true });
  }

  /**
   * Short and free of user text: Gateway names run to 253 characters, and the proxies' unix
   * socket paths below the folder must stay within 107 bytes.
   */
  private scratchFolder(key: string): string {
    return path.join(this.options.scratchRoot, createHash('sha256').update(key).digest('hex').slice(0, 16));
  }
}
