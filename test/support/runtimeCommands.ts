/** A few runtime API commands in a session of their own: what a test asks a running HAProxy. */
import { RuntimeSession } from '../../drivers/haproxy/runtimeApi.js';

export async function runtimeCommands(socketPath: string, commands: readonly string[]): Promise<string[]> {
  const session = new RuntimeSession(socketPath);
  try {
    return await session.run(commands);
  } finally {
    session.close();
  }
}
