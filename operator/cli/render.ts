/**
 * `gateplane render`: what standalone would program, without running a proxy. Prints (or writes
 * to --out) each Gateway's configuration and the status every object would get once applied.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DRIVERS } from '../../drivers/index.js';
import type { Logger } from '../log.js';
import { resolve, resolveOptions, type DriverName } from '../model/index.js';
import { loadFiles } from '../sources/index.js';
import { AddressPool } from '../standalone/addresses.js';
import { gatewayFolder } from '../standalone/stateDir.js';
import {
  mergeDataPlaneReports,
  statusDocument,
  StatusStamper,
  type DataPlaneReport,
} from '../status/index.js';
import { Store } from '../store/index.js';

export interface RenderOptions {
  readonly paths: readonly string[];
  readonly driver: DriverName;
  readonly out?: string;
  readonly stateDir: string;
  readonly addressPool: string;
  readonly logger: Logger;
}

/** Returns the exit code: 1 when some input could not be loaded, else 0. */
export async function renderCommand(options: RenderOptions): Promise<number> {
  const loaded = await loadFiles(options.paths);
  for (const p of loaded.problems) {
    const where =
      p.document === undefined ? p.file : `${p.file} (document ${p.document + 1}, index ${p.document})`;
    options.logger.warn('Input not loaded', { where, reason: p.reason });
  }
  const store = new Store({ metadata: 'track' });
  store.apply(loaded.objects);
  const resolution = resolve(store.snapshot(), resolveOptions(options.driver, DRIVERS));

  const pool = new AddressPool(options.addressPool);
  const reports = new Map<string, DataPlaneReport>();
  const outputs: { folder: string; files: readonly { path: string; content: string }[]; title: string }[] =
    [];
  for (const { gateway, model, requestedAddresses } of resolution.gateways) {
    if (!model) continue;
    const key = `${gateway.namespace}/${gateway.name}`;
    const assignment = pool.assign(key, requestedAddresses);
    if ('problem' in assignment) {
      reports.set(key, { addresses: [], state: { kind: 'noAddress', message: assignment.problem } });
      continue;
    }
    reports.set(key, {
      addresses: [{ type: 'IPAddress', value: assignment.address }],
      state: { kind: 'programmed' },
    });
    const runtimeDir = path.resolve(gatewayFolder(options.stateDir, gateway));
    const config = DRIVERS[model.driver].render(model, { bindAddress: assignment.address, runtimeDir });
    outputs.push({
      folder: path.basename(runtimeDir),
      files: config.files,
      title: `Gateway ${key} (${model.driver})`,
    });
  }
  const statuses = new StatusStamper().stamp(mergeDataPlaneReports(resolution.statuses, reports));
  const statusJson = statusDocument(statuses);

  if (options.out) {
    for (const output of outputs) {
      for (const file of output.files) {
        const target = path.join(options.out, output.folder, file.path);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, file.content, { mode: 0o600 });
      }
    }
    await mkdir(options.out, { recursive: true });
    await writeFile(path.join(options.out, 'status.json'), statusJson);
  } else {
    for (const output of outputs) {
      for (const file of output.files)
        process.stdout.write(`# ---- ${output.title}: ${file.path}\n${file.content}\n`);
    }
    process.stdout.write(`# ---- status\n${statusJson}`);
  }
  return loaded.problems.length > 0 ? 1 : 0;
}
