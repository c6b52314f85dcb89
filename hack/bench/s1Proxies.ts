/**
 * The proxies S1 measures gateplane's against, started by the bench itself on their own
 * addresses and pinned like gateplane's: the hand-tuned baseline (baselines/) and the
 * attribution variant.
 *
 * The attribution variant is gateplane's generated configuration, copied from its state folder with
 * exactly one difference from the hand-tuned baseline undone, served by a second proxy on its
 * own address. If the gap to the hand-tuned baseline closes, that difference is what bounds the
 * generated configuration's throughput.
 *
 * - nginx: the number of idle connections each upstream keeps (`keepalive`; 64 in the hand-tuned
 *   file). With more concurrent requests than idle slots, nginx closes the surplus upstream
 *   connections after each response and opens new ones (gateplane had 16 until this bench
 *   showed it held nginx to ~40 % of the hand-tuned throughput).
 * - HAProxy: the generated frontend routes through a chain of `http-request set-var` rules
 *   (Host, virtual host, rule id) and `use_backend ... if { var(txn.rule) ... }`; the hand-tuned
 *   one through one Host ACL.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DriverName } from '../../operator/model/index.js';
import { waitForStatus } from './backend.js';
import { writeBaseline } from './configTemplate.js';
import { scratch, type BenchContext } from './context.js';
import { BACKEND_PORT, LISTENER_PORT, backendAddress } from './manifests.js';
import type { Tracked } from './processes.js';

export const HOST = 'bench.example';
export const GATEWAY_ADDRESS = '127.0.60.10';
export const BASELINE_ADDRESS: Record<DriverName, string> = { nginx: '127.0.60.20', haproxy: '127.0.60.21' };
export const VARIANT_ADDRESS: Record<DriverName, string> = { nginx: '127.0.60.22', haproxy: '127.0.60.23' };

export interface Variant {
  readonly label: string;
  /** The configuration text, with paths and address moved to the variant's own. */
  readonly config: string;
}

/** `keepalive` of baselines/nginx.conf. */
const HAND_TUNED_KEEPALIVE = '64';

const MAIN_FILE: Record<DriverName, string> = { nginx: 'nginx.conf', haproxy: 'haproxy.cfg' };

/**
 * The attribution variant of the configuration gateplane serves in `runtimeDir`, moved to
 * `variantDir` and `address` (same port); undefined when the difference it undoes is not there
 * (gateplane changed since this was written).
 */
export async function attributionVariant(options: {
  readonly driver: DriverName;
  readonly runtimeDir: string;
  readonly variantDir: string;
  readonly fromAddress: string;
  readonly address: string;
  readonly host: string;
}): Promise<Variant | undefined> {
  const generated = await readFile(path.join(options.runtimeDir, MAIN_FILE[options.driver]), 'utf8');
  const moved = generated
    .replaceAll(options.runtimeDir, options.variantDir)
    .replaceAll(`${options.fromAddress}:`, `${options.address}:`);
  if (options.driver === 'nginx') {
    const keepalive = /^\s*keepalive (\d+);$/m.exec(moved)?.[1];
    if (keepalive === undefined || keepalive === HAND_TUNED_KEEPALIVE) return undefined;
    return {
      label: `generated, upstream keepalive ${keepalive} → ${HAND_TUNED_KEEPALIVE}`,
      config: moved.replace(/^(\s*)keepalive \d+;$/gm, `$1keepalive ${HAND_TUNED_KEEPALIVE};`),
    };
  }
  const frontend = /^frontend http-\d+\n(?:(?: {4}.*)?\n)*/m.exec(moved);
  const backend = frontend ? /use_backend (\S+) if/.exec(frontend[0])?.[1] : undefined;
  const bind = frontend ? /^ {4}bind .*$/m.exec(frontend[0])?.[0] : undefined;
  if (!frontend || !backend || !bind) return undefined;
  const simple = [
    frontend[0].split('\n')[0],
    bind,
    `    acl known_host hdr(host) -i ${options.host}`,
    '    http-request return status 404 unless known_host',
    `    default_backend ${backend}`,
    '',
    '',
  ].join('\n');
  return { label: 'generated, routing chain → one Host ACL', config: moved.replace(frontend[0], simple) };
}

/** Write `variant` into `variantDir`; returns the file to start the proxy on. */
export async function writeVariant(
  driver: DriverName,
  variantDir: string,
  variant: Variant,
): Promise<string> {
  const file = path.join(variantDir, MAIN_FILE[driver]);
  await writeFile(file, variant.config);
  return file;
}

function startProxy(context: BenchContext, driver: DriverName, name: string, file: string): Tracked {
  const dir = path.dirname(file);
  const cpus = context.cpus.proxy;
  return driver === 'nginx'
    ? context.processes.spawn(
        name,
        '/usr/sbin/nginx',
        [
          '-p',
          `${dir}/`,
          '-e',
          path.join(dir, 'error.log'),
          '-c',
          file,
          '-g',
          'daemon off; master_process on;',
        ],
        { cpus },
      )
    : context.processes.spawn(name, 'haproxy', ['-db', '-f', file], { cpus });
}

export async function startBaseline(context: BenchContext, driver: DriverName): Promise<Tracked> {
  const dir = await scratch(context, `s1-${driver}-baseline`);
  const values = {
    LISTEN: `${BASELINE_ADDRESS[driver]}:${LISTENER_PORT}`,
    HOST,
    BACKEND: `${backendAddress(1)}:${BACKEND_PORT}`,
  };
  const file = await writeBaseline(driver === 'nginx' ? 'nginx.conf' : 'haproxy.cfg', dir, values);
  const proxy = startProxy(context, driver, `baseline ${driver}`, file);
  await waitForStatus({ address: BASELINE_ADDRESS[driver], port: LISTENER_PORT, host: HOST }, 200, proxy);
  return proxy;
}

export async function startVariant(
  context: BenchContext,
  driver: DriverName,
  runtimeDir: string,
): Promise<{ label: string; proxy: Tracked } | undefined> {
  const variantDir = await scratch(context, `s1-${driver}-variant`);
  const variant = await attributionVariant({
    driver,
    runtimeDir,
    variantDir,
    fromAddress: GATEWAY_ADDRESS,
    address: VARIANT_ADDRESS[driver],
    host: HOST,
  });
  if (!variant) return undefined;
  await mkdir(variantDir, { recursive: true });
  const proxy = startProxy(
    context,
    driver,
    `variant ${driver}`,
    await writeVariant(driver, variantDir, variant),
  );
  await waitForStatus({ address: VARIANT_ADDRESS[driver], port: LISTENER_PORT, host: HOST }, 200, proxy);
  return { label: variant.label, proxy };
}
