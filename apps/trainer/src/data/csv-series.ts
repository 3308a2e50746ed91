import { DeviceSeries } from '@iag/detection-lab';
import { readCsvRows } from './csv-table';
import { parseTimestamp } from './timestamps';
import { TrainerError } from '../trainer-error';

export interface CsvSeriesOptions {
  delimiter: string;
  /** Default: the first of ts, timestamp, time that exists. */
  timeColumn?: string;
  /** Default: device_id or device when present; else every row is one device named after the file. */
  deviceColumn?: string;
  /** Default: every numeric column but the time, device and label columns. */
  features?: string[];
  /** Rows are labelled by this 0/1 column when given (evaluate). */
  labelColumn?: string;
  /** false: a missing label column just means unlabelled data (train). Default true. */
  requireLabel?: boolean;
}

export interface LabelledDeviceSeries extends DeviceSeries {
  /** Per reading: 1 = anomalous, when a label column was asked for. */
  labels: Uint8Array | null;
}

export interface CsvSeries {
  features: string[];
  series: LabelledDeviceSeries[];
}

const TIME_COLUMNS = ['ts', 'timestamp', 'time'];
const DEVICE_COLUMNS = ['device_id', 'deviceId', 'device'];

/**
 * Reads a CSV of readings into per-device series sorted by time. Timestamps: epoch ms or ISO 8601,
 * with or without a zone (UTC when absent). Empty cells are missing metrics; anything else that is
 * not a number is an error naming the row and column.
 */
export function readCsvSeries(path: string, options: CsvSeriesOptions): CsvSeries {
  const { columns, rows } = readCsvRows(path, options.delimiter);
  const timeColumn = pickColumn(columns, options.timeColumn, TIME_COLUMNS, 'time', path);
  const deviceColumn = options.deviceColumn ?? DEVICE_COLUMNS.find((c) => columns.includes(c));
  if (deviceColumn !== undefined && !columns.includes(deviceColumn)) {
    throw new TrainerError(`${path} has no column "${deviceColumn}" (columns: ${columns.join(', ')})`);
  }
  const labelColumn =
    options.requireLabel === false && options.labelColumn && !columns.includes(options.labelColumn)
      ? undefined
      : options.labelColumn;
  if (labelColumn !== undefined && !columns.includes(labelColumn)) {
    throw new TrainerError(`${path} has no label column "${labelColumn}" (columns: ${columns.join(', ')})`);
  }
  const reserved = new Set([timeColumn, deviceColumn, labelColumn].filter(Boolean));
  const features = options.features ?? columns.filter((c) => !reserved.has(c) && isNumericColumn(rows, c));
  const absent = features.filter((f) => !columns.includes(f));
  if (absent.length > 0) {
    throw new TrainerError(`${path} has no column(s) ${absent.join(', ')} (columns: ${columns.join(', ')})`);
  }
  if (features.length === 0) throw new TrainerError(`${path} has no numeric feature columns`);
  const byDevice = new Map<string, { ts: number; values: Record<string, number>; label: number }[]>();
  rows.forEach((row, i) => {
    const line = i + 2; // 1-based, after the header
    const ts = parseTimestamp(row[timeColumn] ?? '');
    if (!Number.isFinite(ts)) throw new TrainerError(`${path}:${line}: "${row[timeColumn]}" in column ${timeColumn} is not epoch ms or ISO 8601`);
    const values: Record<string, number> = {};
    for (const f of features) {
      const cell = row[f] ?? '';
      if (cell === '') continue;
      const value = Number(cell);
      if (!Number.isFinite(value)) throw new TrainerError(`${path}:${line}: "${cell}" in column ${f} is not a number`);
      values[f] = value;
    }
    const label = labelColumn === undefined ? 0 : Number(row[labelColumn]) > 0 ? 1 : 0;
    const device = deviceColumn === undefined ? 'csv' : row[deviceColumn] || 'csv';
    let list = byDevice.get(device);
    if (list === undefined) byDevice.set(device, (list = []));
    list.push({ ts, values, label });
  });
  const series = [...byDevice].map(([deviceId, list]) => {
    list.sort((a, b) => a.ts - b.ts);
    return {
      deviceId,
      readings: list.map(({ ts, values }) => ({ ts, values })),
      labels: labelColumn === undefined ? null : Uint8Array.from(list.map((r) => r.label)),
    };
  });
  return { features, series };
}

function pickColumn(columns: string[], wanted: string | undefined, defaults: string[], what: string, path: string): string {
  if (wanted !== undefined) {
    if (!columns.includes(wanted)) throw new TrainerError(`${path} has no ${what} column "${wanted}" (columns: ${columns.join(', ')})`);
    return wanted;
  }
  const found = defaults.find((c) => columns.includes(c));
  if (found === undefined) {
    throw new TrainerError(`${path} has no ${what} column (${defaults.join(', ')}); name it with --${what}-column`);
  }
  return found;
}

function isNumericColumn(rows: Record<string, string>[], column: string): boolean {
  const sample = rows.slice(0, 200).map((r) => r[column]).filter((v) => v !== undefined && v !== '');
  return sample.length > 0 && sample.every((v) => Number.isFinite(Number(v)));
}
