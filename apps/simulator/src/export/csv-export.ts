import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { METRICS } from '../model/device-model';
import { FaultWindow, fleetIds, SimulatedDevice } from '../model/simulated-device';

export interface CsvExportOptions {
  file: string;
  devices: number;
  days: number;
  intervalS: number;
  /** Random faults per device and hour; 0 = a clean (all-normal) export. */
  faultsPerHour: number;
  seed: number;
  startMs: number;
  prefix?: string;
  /** Readings before the first fault of each device. */
  warmupReadings?: number;
}

export interface CsvExportSummary {
  rows: number;
  anomalousRows: number;
  faults: FaultWindow[];
}

export const CSV_HEADER = ['timestamp', 'device_id', ...METRICS, 'anomaly'].join(',');

/**
 * Writes the labelled data set: one row per device and interval, time-major, ISO 8601 times,
 * `anomaly` 1 inside an injected fault. Honours the stream's backpressure, so a month of a large
 * fleet streams out in constant memory.
 */
export async function exportCsv(options: CsvExportOptions): Promise<CsvExportSummary> {
  const intervalMs = Math.round(options.intervalS * 1000);
  const faults: FaultWindow[] = [];
  const devices = fleetIds(options.devices, options.prefix).map(
    (id) =>
      new SimulatedDevice(
        id,
        options.seed,
        {
          faultsPerHour: options.faultsPerHour,
          intervalMs,
          warmupReadings: options.warmupReadings ?? Math.ceil((6 * 3_600_000) / intervalMs),
        },
        (window) => faults.push(window),
      ),
  );
  const out = createWriteStream(options.file, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  const ticks = Math.floor((options.days * 86_400_000) / intervalMs);
  let rows = 0;
  let anomalousRows = 0;
  let chunk = `${CSV_HEADER}\n`;
  for (let tick = 0; tick < ticks; tick++) {
    const ts = options.startMs + tick * intervalMs;
    const iso = new Date(ts).toISOString();
    for (const device of devices) {
      const reading = device.next(ts);
      const values = METRICS.map((m) => round(reading.values[m]));
      chunk += `${iso},${device.id},${values.join(',')},${reading.fault ? 1 : 0}\n`;
      rows++;
      if (reading.fault) anomalousRows++;
    }
    if (chunk.length > 65_536) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      chunk = '';
    }
  }
  out.end(chunk);
  await Promise.race([once(out, 'finish'), failed]);
  for (const device of devices) {
    const open = device.currentFault();
    if (open) faults.push(open);
  }
  faults.sort((a, b) => a.startTs - b.startTs);
  return { rows, anomalousRows, faults };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
