/** Progress lines on stderr, each stamped with the time since the bench started. */
import { now } from './clock.js';

export class Progress {
  private readonly start = now();

  say(scope: string, message: string): void {
    const elapsed = ((now() - this.start) / 1000).toFixed(1).padStart(7);
    process.stderr.write(`[${elapsed}s] ${scope.padEnd(12)} ${message}\n`);
  }

  elapsedS(): number {
    return (now() - this.start) / 1000;
  }
}
