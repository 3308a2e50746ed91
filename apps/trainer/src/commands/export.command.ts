import { Command } from 'commander';
import { resolve } from 'node:path';
import { list, time } from '../cli-options';
import { exportTelemetryCsv } from '../data/csv-export';
import { addInfluxOptions, InfluxAccessOptions, resolveInfluxAccess } from '../data/influx-access';

interface ExportOptions extends InfluxAccessOptions {
  from: number;
  to?: number;
  devices?: string[];
  metrics: string[];
  out: string;
}

export function exportCommand(): Command {
  const command = new Command('export').description(
    'Export telemetry history from InfluxDB to CSV (device_id, ts as ISO 8601, one column per metric), streamed page by page',
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
  const path = resolve(options.out);
  const { rows, devices } = await exportTelemetryCsv(
    {
      ...access,
      database: options.database,
      from: options.from,
      to: options.to ?? Date.now(),
      devices: options.devices,
      metrics: options.metrics,
    },
    path,
  );
  process.stderr.write(`exported ${rows} readings of ${devices} devices\n`);
  process.stdout.write(`${path}\n`);
}
