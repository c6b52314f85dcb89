/**
 * `gateplane standalone`: serve the Gateways in the files with real proxies until a signal.
 * SIGINT/SIGTERM drain and stop every proxy, then exit 0; a second signal stops at once.
 */
import { DRIVERS } from '../../drivers/index.js';
import { describeError, type Logger } from '../log.js';
import type { DriverName } from '../model/index.js';
import { StandaloneController } from '../standalone/controller.js';
import { StateDirLockedError } from '../standalone/stateDir.js';

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
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info('Stopping: draining and stopping proxies', { signal });
  const force = (): void => {
    logger.error('Second signal: exiting without waiting for proxies to drain');
    process.exit(1);
  };
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  try {
    await controller.stop();
  } catch (error) {
    logger.error('Stopping failed', { error: describeError(error) });
    return 1;
  }
  logger.info('Stopped');
  return 0;
}
