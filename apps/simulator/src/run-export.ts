import { writeFile } from 'node:fs/promises';
import { exportCsv } from './export/csv-export';
import { SimulatorOptions } from './simulator-cli';

/** `--csv FILE`: the labelled offline data set. */
export async function runExport(o: SimulatorOptions, out: NodeJS.WritableStream): Promise<void> {
  const startMs = Date.parse(o.start);
  if (!Number.isFinite(startMs)) throw new Error(`--start ${o.start} is not an ISO 8601 time`);
  const summary = await exportCsv({
    file: o.csv!,
    devices: o.devices,
    days: o.days,
    intervalS: o.intervalS,
    faultsPerHour: o.faults ? (o.faultsPerHour ?? 0.05) : 0,
    seed: o.seed,
    startMs,
    prefix: o.prefix,
  });
  if (o.faultLog) {
    const windows = summary.faults.map((f) => ({
      ...f,
      startTs: new Date(f.startTs).toISOString(),
      endTs: new Date(f.endTs).toISOString(),
    }));
    await writeFile(o.faultLog, `${JSON.stringify(windows, null, 2)}\n`);
  }
  const share = summary.rows ? (100 * summary.anomalousRows) / summary.rows : 0;
  out.write(
    `wrote ${o.csv}: ${summary.rows} rows, ${o.devices} devices, ${o.days} days every ${o.intervalS} s, ` +
      `${summary.faults.length} faults, ${summary.anomalousRows} anomalous rows (${share.toFixed(2)}%), seed ${o.seed}\n`,
  );
}
