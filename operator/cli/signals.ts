/**
 * How every long-running command ends: the first SIGINT or SIGTERM starts a clean stop, a second
 * one exits at once with 1. Commands listen before they start work, so that a signal during
 * start-up is not lost.
 */
import { describeError, type Logger } from '../log.js';

/** The first SIGINT or SIGTERM from now on. */
export function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

export interface StopOptions {
  readonly signal: NodeJS.Signals;
  readonly logger: Logger;
  /** What stopping does, for the log: `draining and stopping proxies`. */
  readonly doing: string;
  readonly stop: () => Promise<void>;
  readonly exit: (code: number) => void;
}

/** Stop cleanly after `signal`; the exit code (0 unless stopping failed). */
export async function stopAfterSignal({ signal, logger, doing, stop, exit }: StopOptions): Promise<number> {
  logger.info(`Stopping: ${doing}`, { signal });
  const force = (): void => {
    logger.error('Second signal: exiting without a clean stop');
    exit(1);
  };
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  try {
    await stop();
  } catch (error) {
    logger.error('Stopping failed', { error: describeError(error) });
    return 1;
  } finally {
    process.off('SIGINT', force);
    process.off('SIGTERM', force);
  }
  logger.info('Stopped');
  return 0;
}
