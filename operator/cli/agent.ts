/**
 * `gateplane agent`: the sidecar of a proxy pod (operator/agent/). Every flag but the kubeconfig
 * has the environment variable the Deployment sets as its default, so the pod runs it bare; the
 * flags let a test run it against a fake API server and a proxy on this machine. Runs until
 * SIGTERM or SIGINT, then stops watching and exits 0: the proxy container stops on its own.
 */
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DRIVER_NAMES, DRIVERS } from '../../drivers/index.js';
import { parseListenAddress } from '../agent/healthServer.js';
import { createLogger, describeError, LOG_LEVELS, type Logger, type LogLevel } from '../log.js';
import type { DriverName } from '../model/index.js';
import { nextSignal } from './signals.js';

interface AgentFlags {
  readonly kubeconfig?: string;
  readonly namespace: string;
  readonly podName: string;
  readonly gateway: string;
  readonly driver: DriverName;
  readonly runtimeDir: string;
  readonly healthAddress: string;
  readonly logLevel: LogLevel;
  readonly logFormat?: 'text' | 'json';
}

function listenAddress(value: string): string {
  try {
    parseListenAddress(value);
  } catch (error) {
    throw new InvalidArgumentError(describeError(error));
  }
  return value;
}

function fromEnv(flags: string, description: string, variable: string): Option {
  return new Option(flags, description).env(variable).makeOptionMandatory();
}

export function registerAgentCommand(program: Command, exit: (code: number) => void): void {
  program
    .command('agent')
    .description("keep this pod's proxy serving its Gateway's published configuration, until SIGTERM")
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, else in-cluster)')
    .addOption(fromEnv('--namespace <namespace>', "the pod's (and its Gateway's) namespace", 'POD_NAMESPACE'))
    .addOption(fromEnv('--pod-name <name>', 'the pod to annotate with the applied hash', 'POD_NAME'))
    .addOption(fromEnv('--gateway <name>', 'the Gateway whose configuration to serve', 'GATEPLANE_GATEWAY'))
    .addOption(
      fromEnv('--driver <driver>', 'the proxy in this pod', 'GATEPLANE_DRIVER').choices(DRIVER_NAMES),
    )
    .option('--runtime-dir <dir>', 'folder shared with the proxy container', '/var/run/gateplane')
    .option('--health-address <address>', '[host]:port for /healthz and /readyz', listenAddress, ':9901')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--log-format <format>', 'log format (default: text on a terminal, else json)').choices([
        'text',
        'json',
      ]),
    )
    .action(async (flags: AgentFlags) => {
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      exit(await agentCommand(flags, logger));
    });
}

/**
 * The Kubernetes client and the agent are loaded when the command runs, not when the command line
 * is parsed: the client alone is ~120 MiB of RSS that `gateplane standalone` must not carry.
 */
async function loadKubeConfig(file: string | undefined): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (file === undefined) kc.loadFromDefault();
    else kc.loadFromFile(file);
  } catch (cause) {
    throw new Error(`load the kubeconfig${file === undefined ? '' : ` ${file}`}`, { cause });
  }
  return kc;
}

async function agentCommand(flags: AgentFlags, logger: Logger): Promise<number> {
  const runtimeDir = path.resolve(flags.runtimeDir);
  const { Agent } = await import('../agent/index.js');
  const agent = new Agent({
    kubeConfig: await loadKubeConfig(flags.kubeconfig),
    namespace: flags.namespace,
    podName: flags.podName,
    gateway: flags.gateway,
    driver: DRIVERS[flags.driver],
    runtimeDir,
    healthAddress: flags.healthAddress,
    logger,
  });
  // Listen before starting: a SIGTERM during start must still end in a clean exit 0.
  const signal = nextSignal();
  await agent.start();
  logger.info('Agent started', {
    gateway: `${flags.namespace}/${flags.gateway}`,
    pod: flags.podName,
    driver: flags.driver,
    runtimeDir,
    healthAddress: flags.healthAddress,
  });
  logger.info('Stopping: no more watching or applying; the proxy stops on its own', { signal: await signal });
  await agent.stop();
  logger.info('Stopped');
  return 0;
}
