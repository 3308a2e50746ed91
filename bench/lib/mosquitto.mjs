// Mosquitto (Debian's package) as the routing-only reference broker, on its own port and config.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnLogged, stopChild, waitForPort } from './child-process.mjs';

export async function startMosquitto(dir) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      // as many connections as the fleet opens; queue like the gateway buffers, drop nothing quietly
      'max_connections -1',
      'max_queued_messages 100000',
      '',
    ].join('\n'),
  );
  const child = spawnLogged('mosquitto', ['-c', config], { logPath: join(dir, 'mosquitto.log') });
  await Promise.race([waitForPort(port), new Promise((_, reject) => child.once('error', reject))]);
  return { url: `mqtt://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
}
