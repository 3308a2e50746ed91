import { Command, InvalidArgumentError, Option } from 'commander';
import { FAULT_KINDS } from './model/faults';

export interface SimulatorOptions {
  devices: number;
  rate: number;
  faults: boolean;
  faultsPerHour?: number;
  faultEvery?: number;
  duration?: number;
  url: string;
  mqtt: string;
  adminKey?: string;
  tokens?: string;
  saveTokens?: string;
  prefix: string;
  profile: string;
  seed: number;
  warmup: number;
  summaryEvery: number;
  csv?: string;
  days: number;
  intervalS: number;
  start: string;
  faultLog?: string;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be 0 or more');
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new InvalidArgumentError('must be an integer from 1 to 100000');
  }
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
}

/** The command line of `npm run simulate`: a live fleet, or with --csv a labelled offline export. */
export function simulatorCommand(): Command {
  return new Command('simulate')
    .description(
      [
        'Simulated ESP32-like devices (temp, hum, pressure, power, vibration) with injected faults',
        `(${FAULT_KINDS.join(', ')}).`,
        'Live: devices provision themselves (admin key) or use --tokens, publish QoS 1 over MQTT,',
        'reconnect with backoff and send what they buffered while offline. SIGUSR2 injects a fault now.',
        'With --csv: writes a labelled data set (timestamp,device_id,<metrics>,anomaly) instead.',
      ].join(' '),
    )
    .option('--devices <n>', 'devices in the fleet', count, 10)
    .option('--rate <r>', 'readings per second per device (live)', positive, 1)
    .option('--faults', 'inject random faults (see --faults-per-hour)', false)
    .option(
      '--faults-per-hour <f>',
      'random faults per device and hour of readings (default 6 live, 0.05 export)',
      nonNegative,
    )
    .option(
      '--fault-every <s>',
      'live: also inject one fault on a random device every s seconds',
      positive,
    )
    .option('--duration <s>', 'live: stop after s seconds (default: until Ctrl-C)', positive)
    .option('--url <url>', 'gateway REST base URL', 'http://127.0.0.1:3000')
    .option('--mqtt <url>', 'gateway MQTT URL', 'mqtt://127.0.0.1:1883')
    .addOption(
      new Option('--admin-key <key>', 'admin API key: provisions the devices, reads anomalies').env(
        'ADMIN_API_KEY',
      ),
    )
    .option(
      '--tokens <file>',
      'device tokens instead of provisioning: JSON {"id":"token"} or lines id,token',
    )
    .option(
      '--save-tokens <file>',
      'write the provisioned tokens (JSON, mode 0600) for a later --tokens run',
    )
    .option('--prefix <p>', 'device id prefix (ids are <prefix>-0001 ...)', 'sim')
    .option('--profile <name>', 'profile given to provisioned devices', 'esp32-env')
    .option('--seed <k>', 'random seed: same seed, same fleet and faults', integer, 1)
    .option('--warmup <n>', 'readings per device before its first random fault', count, 60)
    .option('--summary-every <s>', 'live: seconds between summary lines', positive, 5)
    .option('--csv <file>', 'export mode: write a labelled CSV instead of connecting')
    .option('--days <d>', 'export: days of readings', positive, 7)
    .option('--interval-s <s>', 'export: seconds between readings', positive, 60)
    .option('--start <iso>', 'export: time of the first reading', '2026-01-01T00:00:00Z')
    .option('--fault-log <file>', 'export: also write the fault windows as JSON')
    .showHelpAfterError();
}
