/**
 * `gateplane standalone`: serve the Gateways in the files with real proxies until a signal.
 * SIGINT/SIGTERM drain and stop every proxy, then exit 0; a second signal stops at once.
 */
import { DRIVERS } from '../../drivers/index.js';
import type { Logger } from '../log.js';
import type { DriverName } from '../model/index.js';
import { StandaloneController } from '../standalone/controller.js';
import { StateDirLockedError } from '../standalone/stateDir.js';
import { nextSignal, stopAfterSignal } from './signals.js';

export interface StandaloneCommandOptions {
  readonly paths: readonly string[];
  readonly watch: boolean;
  readonly driver: DriverName;
  readonly stateDir: string;
  readonly statusFile?: string;
  readonly addressPool: string;
  readonly logger: Logger;
}

export async function standaloneCommand(options: StandaloneCommandOptions): Promise<number> {
  const { logger } = options;
  const controller = new StandaloneController({
    ...options,
    defaultDriver: options.driver,
    drivers: DRIVERS,
  });
  // Listening before start(): a signal during start-up must still end in a clean stop.
  const signal = nextSignal();
  try {
    await controller.start();
  } catch (error) {
    if (error instanceof StateDirLockedError) {
      logger.error('Cannot start', { reason: error.message });
      await controller.stop().catch(() => undefined);
      return 1;
    }
    throw error;
  }
  logger.info('Serving', {
    files: options.paths.join(','),
    watch: options.watch,
    stateDir: options.stateDir,
  });
  return stopAfterSignal({
    signal: await signal,
    logger,
    doing: 'draining and stopping proxies',
    stop: () => controller.stop(),
    exit: (code) => process.exit(code),
  });
}
