/**
 * The `gateplane` command line (DESIGN §3). Parses arguments, builds the logger, runs one
 * command. Usage errors exit 2 with a one-line message; `--help` works on every command.
 */
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DRIVER_NAMES } from '../drivers/index.js';
import { registerAgentCommand } from './cli/agent.js';
import { renderCommand } from './cli/render.js';
import { registerRunCommand } from './cli/run.js';
import { standaloneCommand } from './cli/standalone.js';
import { createLogger, describeError, LOG_LEVELS, type LogLevel } from './log.js';
import type { DriverName } from './model/index.js';
import { parsePool } from './standalone/addresses.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function addressPool(value: string): string {
  try {
    parsePool(value);
  } catch (error) {
    throw new CommanderError(
      2,
      'gateplane.invalidArgument',
      `error: --address-pool: ${describeError(error)}`,
    );
  }
  return value;
}

function common(command: Command): Command {
  return command
    .requiredOption(
      '-f, --filename <path>',
      'file or folder of manifests (repeatable; folders are read recursively)',
      collect,
    )
    .addOption(
      new Option('--driver <driver>', 'driver for GatewayClasses without a DataPlaneConfig')
        .choices(DRIVER_NAMES)
        .default('nginx'),
    )
    .option(
      '--state-dir <dir>',
      'folder for rendered configuration, certificates, pid files and logs',
      './.gateplane',
    )
    .option(
      '--address-pool <cidr>',
      'loopback addresses given to Gateways without spec.addresses',
      addressPool,
      '127.0.1.0/24',
    )
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--log-format <format>', 'log format (default: text on a terminal, else json)').choices([
        'text',
        'json',
      ]),
    );
}

interface CommonFlags {
  filename: string[];
  driver: DriverName;
  stateDir: string;
  addressPool: string;
  logLevel: LogLevel;
  logFormat?: 'text' | 'json';
}

export function buildProgram(exit: (code: number) => void, version?: string): Command {
  const program = new Command('gateplane')
    .description('Kubernetes Gateway API on NGINX and HAProxy')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  if (version !== undefined)
    program.version(version, '--version', 'the version, and whether compiled or from sources');

  common(program.command('standalone'))
    .description('serve the Gateways in the files with real proxies on this machine, until SIGINT/SIGTERM')
    .option('--watch', 'apply changes to the files while running', false)
    .option(
      '--status-file <file>',
      'write the status of every object we own to this JSON file after each change',
    )
    .action(async (flags: CommonFlags & { watch: boolean; statusFile?: string }) => {
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      exit(
        await standaloneCommand({
          paths: flags.filename,
          watch: flags.watch,
          driver: flags.driver,
          stateDir: path.resolve(flags.stateDir),
          statusFile: flags.statusFile,
          addressPool: flags.addressPool,
          logger,
        }),
      );
    });

  common(program.command('render'))
    .description(
      'print the proxy configuration and the status standalone would produce, without running a proxy',
    )
    .option('--out <dir>', 'write one folder per Gateway and status.json here instead of printing')
    .action(async (flags: CommonFlags & { out?: string }) => {
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      exit(
        await renderCommand({
          paths: flags.filename,
          driver: flags.driver,
          out: flags.out,
          stateDir: path.resolve(flags.stateDir),
          addressPool: flags.addressPool,
          logger,
        }),
      );
    });

  registerRunCommand(program, exit);
  registerAgentCommand(program, exit);
  return program;
}

/** `version`: what bin/gateplane.js knows: the package's, and which code it loaded. */
export async function main(
  argv: readonly string[],
  about: { readonly version?: string } = {},
): Promise<void> {
  const program = buildProgram((code) => process.exit(code), about.version);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit 0. Everything else is usage: 2.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    process.stderr.write(`gateplane: ${describeError(error)}\n`);
    process.exit(1);
  }
}
