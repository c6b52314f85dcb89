/** Runs the real `nginx -t` on a rendered configuration, staged as a deployer would stage it. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RenderTarget, RenderedConfig, ValidationResult } from '../../../../drivers/driver.js';
import { stageFiles } from '../../../../drivers/deploy.js';
import { nginxDriver } from '../../../../drivers/nginx/index.js';
import type { GatewayModel } from '../../../../operator/model/types.js';

/** A fresh runtime directory per call; removed again after the check. */
export async function renderAndCheck(
  model: GatewayModel,
  bindAddress = '127.0.41.1',
): Promise<{ config: RenderedConfig; result: ValidationResult }> {
  const runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'gateplane-nginx-unit-'));
  try {
    const target: RenderTarget = { bindAddress, runtimeDir };
    const config = nginxDriver.render(model, target);
    stageFiles(config, runtimeDir);
    return { config, result: await nginxDriver.validate(config, runtimeDir) };
  } finally {
    await rm(runtimeDir, { recursive: true, force: true });
  }
}
