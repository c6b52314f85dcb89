/**
 * `gateplane run`: the operator in a cluster (DESIGN §5), from a kubeconfig or the in-cluster
 * service account. SIGINT/SIGTERM stop the queue, release the Lease so a standby takes over at
 * once, stop watching and exit 0; a second signal exits 1 without waiting.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DRIVER_NAMES, DRIVERS } from '../../drivers/index.js';
import { parseListenAddress } from '../cluster/healthServer.js';
import { createLogger, describeError, LOG_LEVELS, type Logger, type LogLevel } from '../log.js';
import type { DriverName } from '../model/index.js';
import { DEFAULT_IMAGE } from '../provision/dataPlaneSettings.js';
import { nextSignal, stopAfterSignal } from './signals.js';

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface RunFlags {
  readonly kubeconfig?: string;
  readonly namespaces?: readonly string[];
  readonly leaderElection: boolean;
  readonly leaseNamespace?: string;
  readonly leaseName: string;
  readonly metricsAddress: string;
  readonly image?: string;
  readonly driver: DriverName;
  readonly logLevel: LogLevel;
  readonly logFormat?: 'text' | 'json';
}

function namespaceList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const wrong = names.find((name) => !NAMESPACE.test(name) || name.length > 63);
  if (names.length === 0 || wrong !== undefined)
    throw new InvalidArgumentError(`${JSON.stringify(wrong ?? value)} is not a namespace name.`);
  return [...new Set(names)].sort();
}

function boolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('Expected true or false.');
}

function listenAddress(value: string): string {
  try {
    parseListenAddress(value);
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
  return value;
}

export function registerRunCommand(program: Command, exit: (code: number) => void): void {
  program
    .command('run')
    .description('run the operator in a Kubernetes cluster, until SIGINT/SIGTERM')
    .option(
      '--kubeconfig <file>',
      'kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, else in-cluster)',
    )
    .option(
      '--namespaces <list>',
      'comma-separated namespaces to watch (default: every namespace)',
      namespaceList,
    )
    .addOption(
      new Option('--leader-election [enabled]', 'take part in leader election on a Lease (true|false)')
        .argParser(boolean)
        .default(true),
    )
    .option('--no-leader-election', 'reconcile without a Lease: run a single replica only')
    .option(
      '--lease-namespace <namespace>',
      'namespace of the leader Lease (default: $POD_NAMESPACE, else the service account namespace)',
    )
    .option('--lease-name <name>', 'name of the leader Lease', 'gateplane-leader')
    .option(
      '--metrics-address <address>',
      'listen address of /metrics, /healthz and /readyz',
      listenAddress,
      ':9090',
    )
    .option(
      '--image <image>',
      `gateplane image for proxy pods (default: $GATEPLANE_IMAGE, else ${DEFAULT_IMAGE})`,
    )
    .addOption(
      new Option('--driver <driver>', 'driver for GatewayClasses without a DataPlaneConfig')
        .choices(DRIVER_NAMES)
        .default('nginx'),
    )
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--log-format <format>', 'log format (default: text on a terminal, else json)').choices([
        'text',
        'json',
      ]),
    )
    .action(async (flags: RunFlags) => {
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      exit(await runCommand(flags, { logger, exit }));
    });
}

/**
 * The Kubernetes client and the cluster controller are loaded when the command runs, not when the
 * command line is parsed: the client alone is ~120 MiB of RSS that `gateplane standalone` must
 * not carry.
 */
async function loadKubeConfig(file: string | undefined): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('it names no current cluster');
  return kc;
}

function leaseNamespace(flag: string | undefined): string {
  if (flag) return flag;
  const fromEnv = process.env.POD_NAMESPACE;
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}

async function createController(flags: RunFlags, kubeConfig: KubeConfig, logger: Logger) {
  const { ClusterController } = await import('../cluster/index.js');
  // Unique per process, and recognisable in the Lease: the pod's name, plus a suffix for restarts.
  const identity = `${process.env.POD_NAME ?? os.hostname()}_${randomUUID().slice(0, 8)}`;
  const lease = { namespace: leaseNamespace(flags.leaseNamespace), name: flags.leaseName };
  const controller = new ClusterController({
    kubeConfig,
    logger,
    drivers: DRIVERS,
    defaultDriver: flags.driver,
    metricsAddress: flags.metricsAddress,
    processMetrics: true,
    image: flags.image ?? process.env.GATEPLANE_IMAGE ?? DEFAULT_IMAGE,
    ...(flags.namespaces ? { namespaces: flags.namespaces } : {}),
    ...(flags.leaderElection ? { leaderElection: { identity, lease } } : {}),
  });
  return { controller, identity, lease };
}

/** Runs until a signal; the exit code. */
export async function runCommand(
  flags: RunFlags,
  context: { readonly logger: Logger; readonly exit: (code: number) => void },
): Promise<number> {
  const { logger } = context;
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = await loadKubeConfig(flags.kubeconfig);
  } catch (error) {
    logger.error('Cannot load the kubeconfig', { file: flags.kubeconfig, error: describeError(error) });
    return 1;
  }
  const { controller, identity, lease } = await createController(flags, kubeConfig, logger);
  // Listening before start(): a signal during the initial sync must stop it too.
  const stopped = nextSignal();
  const started = controller.start().then(() => undefined);
  // A start cut short by a signal rejects once stop() ends the sync; that is not a failure.
  started.catch(() => undefined);
  try {
    const first = await Promise.race([started, stopped]);
    if (first === undefined) {
      logger.info('Running', {
        namespaces: flags.namespaces?.join(',') ?? '*',
        leaderElection: flags.leaderElection,
        identity,
        metrics: controller.healthAddress,
        ...(flags.leaderElection ? { lease: `${lease.namespace}/${lease.name}` } : {}),
      });
    }
  } catch (error) {
    logger.error('Cannot start', { error: describeError(error) });
    await controller.stop().catch(() => undefined);
    return 1;
  }
  return stopAfterSignal({
    signal: await stopped,
    logger,
    doing: 'releasing the Lease and closing watches',
    stop: () => controller.stop(),
    exit: context.exit,
  });
}
