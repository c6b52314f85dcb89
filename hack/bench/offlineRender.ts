/**
 * The controller's CPU work, measured in the bench process on an idle CPU: load the manifest
 * folder into a store, resolve it from scratch (what a start costs), then add one route at a
 * time and resolve incrementally (what a change costs, as the controller's Resolver does it),
 * and render the Gateway's configuration.
 */
import { DRIVERS } from '../../drivers/index.js';
import { resolve, resolveOptions, Resolver, type DriverName } from '../../operator/model/index.js';
import { loadFiles } from '../../operator/sources/index.js';
import { Store } from '../../operator/store/index.js';
import { now } from './clock.js';
import { median } from './stats.js';

export interface OfflineTimes {
  /** Every object resolved from scratch. */
  readonly resolveMs: number;
  /** One route added, resolved reusing the previous resolution. */
  readonly changeResolveMs: number;
  readonly renderMs: number;
  readonly configBytes: number;
}

export async function offlineTimes(folder: string, driver: DriverName, repeat = 5): Promise<OfflineTimes> {
  const { objects } = await loadFiles([folder]);
  const store = new Store({ metadata: 'track' });
  store.apply(objects);
  const snapshot = store.snapshot();
  const options = resolveOptions(driver, DRIVERS);
  const resolveMs: number[] = [];
  const changeResolveMs: number[] = [];
  const renderMs: number[] = [];
  let configBytes = 0;
  const resolver = new Resolver(options);
  resolver.resolve(snapshot);
  const route = objects.find((object) => object.kind === 'HTTPRoute');
  if (!route) throw new Error(`no HTTPRoute in ${folder}`);
  // Two warm-up rounds first: the first calls of a fresh process run unoptimized code.
  for (let i = -2; i < repeat; i += 1) {
    let start = now();
    resolve(snapshot, options);
    if (i >= 0) resolveMs.push(now() - start);
    const name = `offline-${i + 2}`;
    store.apply([{ ...route, metadata: { ...route.metadata, name } }]);
    start = now();
    const resolution = resolver.resolve(store.snapshot());
    if (i >= 0) changeResolveMs.push(now() - start);
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
  return {
    resolveMs: median(resolveMs),
    changeResolveMs: median(changeResolveMs),
    renderMs: median(renderMs),
    configBytes,
  };
}
