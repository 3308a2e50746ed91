import { createServer, Server } from 'node:net';
import { join } from 'node:path';

export interface InfluxdLayout {
  dataDir: string;
  httpPort: number;
  rpcPort: number;
}

/** TOML basic strings share JSON's escapes for the characters a path can hold. */
const tomlString = (value: string): string => JSON.stringify(value);

/**
 * The influxd.conf we own: loopback-only listeners with authentication, no phoning home, no
 * _internal monitor database, quiet HTTP/query logs, everything under our data dir.
 */
export function renderInfluxdConfig(layout: InfluxdLayout): string {
  const dir = (name: string) => tomlString(join(layout.dataDir, name));
  return [
    'reporting-disabled = true',
    `bind-address = ${tomlString(`127.0.0.1:${layout.rpcPort}`)}`,
    '',
    '[meta]',
    `  dir = ${dir('meta')}`,
    '',
    '[data]',
    `  dir = ${dir('data')}`,
    `  wal-dir = ${dir('wal')}`,
    '  query-log-enabled = false',
    '',
    '[monitor]',
    '  store-enabled = false',
    '',
    '[http]',
    '  enabled = true',
    `  bind-address = ${tomlString(`127.0.0.1:${layout.httpPort}`)}`,
    // Loopback is not private on a shared machine: every query needs the generated admin's password.
    '  auth-enabled = true',
    '  log-enabled = false',
    '  pprof-enabled = false',
    '',
    '[logging]',
    '  level = "info"',
    '  suppress-logo = true',
    '',
  ].join('\n');
}

/** Asks the kernel for `count` distinct free loopback ports (held together so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port assigned');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
