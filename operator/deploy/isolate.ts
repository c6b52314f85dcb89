/**
 * Render, validate, and isolate. When the checker refuses a configuration, the routes it blames
 * (the driver maps the failing line back to rule ids) are set aside and the rest is tried again.
 * When it blames nothing in particular, a binary search over the routes finds one whose
 * presence makes the configuration fail. A failure that remains with every route set aside is
 * not a route's fault: it is reported for the whole Gateway.
 */
import { mkdir } from 'node:fs/promises';
import type { Driver, RenderedConfig, RenderTarget, ValidationResult } from '../../drivers/driver.js';
import { stageFiles } from '../../drivers/deploy.js';
import { routeKey, routesIn, withoutRoutes } from '../model/exclude.js';
import type { DriverName, GatewayModel } from '../model/index.js';

/** The proxy rejected the configuration, and no route can be blamed. */
export class ConfigRejectedError extends Error {
  constructor(
    readonly driver: DriverName,
    readonly detail: string,
  ) {
    super(`${driver} rejected the configuration: ${detail}`);
  }
}

export interface RejectedRoute {
  /** `HTTPRoute/<namespace>/<name>` */
  readonly route: string;
  readonly message: string;
}

export interface ValidatedConfig {
  /** Staged in the runtime folder and accepted by the proxy's checker: ready to commit. */
  readonly config: RenderedConfig;
  readonly rejected: readonly RejectedRoute[];
}

/** More culprits than this in one configuration means something else is wrong. */
const MAX_REJECTED_ROUTES = 16;

/**
 * `rendered`, when given, is `driver.render(model, target)` already done by the caller (rendering
 * a large model is not free, and the first candidate is the whole model), and whether the caller
 * also staged its files already.
 */
export async function renderValidated(
  driver: Driver,
  model: GatewayModel,
  target: RenderTarget,
  rendered?: { readonly config: RenderedConfig; readonly staged: boolean },
): Promise<ValidatedConfig> {
  await mkdir(target.runtimeDir, { recursive: true, mode: 0o755 });
  const check = async (
    candidate: GatewayModel,
  ): Promise<{ config: RenderedConfig; verdict: ValidationResult }> => {
    const given = candidate === model ? rendered : undefined;
    const config = given?.config ?? driver.render(candidate, target);
    if (!given?.staged) stageFiles(config, target.runtimeDir);
    return { config, verdict: await driver.validate(config, target.runtimeDir) };
  };
  const excluded = new Set<string>();
  const rejected: RejectedRoute[] = [];
  for (;;) {
    const candidate = excluded.size > 0 ? withoutRoutes(model, excluded) : model;
    const { config, verdict } = await check(candidate);
    if (verdict.ok) return { config, rejected };
    if (rejected.length >= MAX_REJECTED_ROUTES) throw new ConfigRejectedError(driver.name, verdict.message);
    let culprits = blamed(candidate, verdict.ruleIds);
    if (culprits.length === 0) culprits = await bisect(candidate, async (m) => (await check(m)).verdict.ok);
    if (culprits.length === 0) throw new ConfigRejectedError(driver.name, verdict.message);
    for (const route of culprits) {
      excluded.add(route);
      rejected.push({ route, message: verdict.message });
    }
  }
}

function blamed(model: GatewayModel, ruleIds: readonly string[]): string[] {
  const wanted = new Set(ruleIds);
  const routes = new Set<string>();
  for (const port of model.ports) {
    for (const host of port.virtualHosts)
      for (const rule of host.rules) if (wanted.has(rule.id)) routes.add(routeKey(rule.source));
  }
  return [...routes].sort();
}

/**
 * The first route (in sorted order) whose addition makes the configuration fail, found with
 * log2(n) checks: the smallest k such that keeping routes[0..k) fails. Empty when the
 * configuration fails even with no route at all.
 */
async function bisect(model: GatewayModel, passes: (m: GatewayModel) => Promise<boolean>): Promise<string[]> {
  const routes = routesIn(model);
  const keeping = (k: number): GatewayModel => withoutRoutes(model, new Set(routes.slice(k)));
  if (!(await passes(keeping(0)))) return [];
  let good = 0; // keeping routes[0..good) passes
  let bad = routes.length; // keeping routes[0..bad) fails
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (await passes(keeping(mid))) good = mid;
    else bad = mid;
  }
  return [routes[bad - 1]!];
}
