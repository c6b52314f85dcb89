/**
 * The controller's CPU work for one change, measured in the bench process on an idle CPU: load
 * the manifest folder into a store, resolve the snapshot, render the Gateway's configuration.
 * The controller runs the same code per change (a full resolve, then render twice); timing it
 * here separates the resolve from the coalescing window it shares a phase with in S2.
 */
import { DRIVERS } from '../../drivers/index.js';
import { CONTROLLER_NAME, resolve, type DriverName } from '../../operator/model/index.js';
import { loadFiles } from '../../operator/sources/index.js';
import { Store } from '../../operator/store/index.js';
import { now } from './clock.js';
import { median } from './stats.js';

export interface OfflineTimes {
  readonly resolveMs: number;
  readonly renderMs: number;
  readonly configBytes: number;
}

export async function offlineTimes(folder: string, driver: DriverName, repeat = 5): Promise<OfflineTimes> {
  const { objects } = await loadFiles([folder]);
  const store = new Store({ metadata: 'track' });
  store.apply(objects);
  const snapshot = store.snapshot();
  const options = {
    controllerName: CONTROLLER_NAME,
    defaultDriver: driver,
    supportedFeatures: { nginx: DRIVERS.nginx.supportedFeatures, haproxy: DRIVERS.haproxy.supportedFeatures },
  };
  const resolveMs: number[] = [];
  const renderMs: number[] = [];
  let configBytes = 0;
  // Two warm-up rounds first: the first calls of a fresh process run unoptimized code.
  for (let i = -2; i < repeat; i += 1) {
    let start = now();
    const resolution = resolve(snapshot, options);
    if (i >= 0) resolveMs.push(now() - start);
    const model = resolution.gateways[0]?.model;
    if (!model) throw new Error(`no Gateway resolved from ${folder}`);
    start = now();
    const config = DRIVERS[driver].render(model, {
      bindAddress: '127.0.60.14',
      runtimeDir: '/tmp/gpb-offline',
    });
    if (i >= 0) renderMs.push(now() - start);
    configBytes = config.files.reduce((total, file) => total + file.content.length, 0);
  }
  return { resolveMs: median(resolveMs), renderMs: median(renderMs), configBytes };
}
