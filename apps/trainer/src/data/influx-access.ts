import { Command, Option } from 'commander';
import { InfluxCredentials, readManagedInfluxdAccess, StorageException } from '@iag/storage';
import { resolve } from 'node:path';
import { TrainerError } from '../trainer-error';

export interface InfluxAccessOptions {
  influxUrl?: string;
  influxUsername?: string;
  influxPassword?: string;
  dataDir: string;
  database: string;
}

export interface InfluxAccess {
  url: string;
  credentials?: InfluxCredentials;
}

/** The options of every command that reads InfluxDB (export, train --from). */
export function addInfluxOptions(command: Command, prefix = ''): Command {
  return command
    .addOption(new Option('--influx-url <url>', `${prefix}InfluxDB 1.x URL`).env('INFLUX_URL'))
    .addOption(
      new Option('--influx-username <name>', `${prefix}InfluxDB user`).env('INFLUX_USERNAME'),
    )
    .addOption(
      new Option(
        '--influx-password <password>',
        `${prefix}its password (prefer the variable: other users can read a command line)`,
      ).env('INFLUX_PASSWORD'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        `${prefix}without --influx-url: the gateway's DATA_DIR, whose own influxd (and its ` +
          'generated admin) is read while the gateway runs',
      )
        .env('DATA_DIR')
        .default('./data'),
    )
    .addOption(
      new Option('--database <name>', `${prefix}InfluxDB database`)
        .env('INFLUX_DATABASE')
        .default('iot'),
    );
}

/**
 * Where to read InfluxDB and as whom: --influx-url (with --influx-username/--influx-password),
 * else the influxd the gateway runs under --data-dir, with the admin it generated.
 */
export function resolveInfluxAccess(options: InfluxAccessOptions, what: string): InfluxAccess {
  if (options.influxUrl) {
    const { influxUsername: username, influxPassword: password } = options;
    if ((username === undefined) !== (password === undefined)) {
      throw new TrainerError('--influx-username and --influx-password go together');
    }
    return {
      url: options.influxUrl,
      credentials: username === undefined ? undefined : { username, password: password! },
    };
  }
  const dataDir = resolve(options.dataDir);
  let managed;
  try {
    managed = readManagedInfluxdAccess(dataDir);
  } catch (error) {
    if (error instanceof StorageException) throw new TrainerError(error.message);
    throw error;
  }
  if (!managed) {
    throw new TrainerError(
      `${what} needs --influx-url (or INFLUX_URL), or a gateway that runs its own influxd ` +
        `under --data-dir (${dataDir} has none)`,
    );
  }
  const { url, username, password } = managed;
  return { url, credentials: { username, password } };
}
