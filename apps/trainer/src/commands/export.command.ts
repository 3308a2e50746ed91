import { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { once } from 'node:events';
import { list, time } from '../cli-options';
import { addInfluxOptions, InfluxAccessOptions, resolveInfluxAccess } from '../data/influx-access';
import { readInfluxSeries } from '../data/influx-series';

interface ExportOptions extends InfluxAccessOptions {
  from: number;
  to?: number;
  devices?: string[];
  metrics: string[];
  out: string;
}

export function exportCommand(): Command {
  const command = new Command('export').description(
    'Export telemetry history from InfluxDB to CSV (device_id, ts as ISO 8601, one column per metric)',
  );
  return addInfluxOptions(command)
    .requiredOption('--from <time>', 'from (epoch ms or ISO 8601)', time)
    .option('--to <time>', 'to (default now)', time)
    .option('--devices <ids>', 'only these devices (comma-separated; default all)', list)
    .requiredOption('--metrics <names>', 'metrics to export (comma-separated)', list)
    .requiredOption('--out <file>', 'CSV file to write')
    .action((options: ExportOptions) => runExport(options));
}

async function runExport(options: ExportOptions): Promise<void> {
  const access = resolveInfluxAccess(options, 'export');
  const to = options.to ?? Date.now();
  const series = await readInfluxSeries({
    ...access,
    database: options.database,
    from: options.from,
    to,
    devices: options.devices,
    metrics: options.metrics,
  });
  const path = resolve(options.out);
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  await write(['device_id', 'ts', ...options.metrics].join(','));
  let rows = 0;
  for (const { deviceId, readings } of series) {
    for (const { ts, values } of readings) {
      await write(
        [deviceId, new Date(ts).toISOString(), ...options.metrics.map((m) => values[m] ?? '')].join(
          ',',
        ),
      );
      rows++;
    }
  }
  out.end();
  await once(out, 'finish');
  process.stderr.write(`exported ${rows} readings of ${series.length} devices\n`);
  process.stdout.write(`${path}\n`);
}
