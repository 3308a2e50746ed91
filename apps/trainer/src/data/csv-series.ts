import { DeviceSeries } from '@iag/detection-lab';
import { CsvConsumer, CsvRecord, streamCsv } from './csv-table';
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

/** Rows looked at to tell numeric columns (the default features) from the rest. */
const SAMPLE_ROWS = 200;

type Row = { ts: number; values: Record<string, number>; label: number };

/**
 * Reads a CSV of readings into per-device series sorted by time, streaming the file (csv-parse):
 * only the parsed readings are kept, not the text or its records. Timestamps: epoch ms or ISO
 * 8601, with or without a zone (UTC when absent). Empty cells are missing metrics; anything else
 * that is not a number is an error naming the line and column.
 */
export async function readCsvSeries(path: string, options: CsvSeriesOptions): Promise<CsvSeries> {
  const reader = new SeriesReader(path, options);
  await streamCsv(path, options.delimiter, reader);
  return reader.finish();
}

/** Collects per-device rows as the file streams; feature columns are picked from the first rows. */
class SeriesReader implements CsvConsumer {
  private columns: string[] = [];
  private layout: ColumnLayout | undefined;
  private features: string[] | undefined;
  private readonly sample: CsvRecord[] = [];
  private readonly byDevice = new Map<string, Row[]>();

  constructor(
    private readonly path: string,
    private readonly options: CsvSeriesOptions,
  ) {}

  header(columns: string[]): void {
    this.columns = columns;
    this.layout = columnLayout(this.path, columns, this.options);
    if (this.options.features) this.pickFeatures();
  }

  record(record: CsvRecord): void {
    if (this.features === undefined) {
      this.sample.push(record);
      if (this.sample.length === SAMPLE_ROWS) this.pickFeatures();
      return;
    }
    const layout = this.layout!;
    const device = layout.device === undefined ? 'csv' : record.record[layout.device] || 'csv';
    let list = this.byDevice.get(device);
    if (list === undefined) this.byDevice.set(device, (list = []));
    list.push(rowOf(this.path, record.line, record.record, layout, this.features));
  }

  finish(): CsvSeries {
    if (this.layout === undefined) throw new TrainerError(`${this.path} has no header row`);
    if (this.features === undefined) this.pickFeatures();
    const label = this.layout.label;
    const series = [...this.byDevice].map(([deviceId, list]) => {
      list.sort((x, y) => x.ts - y.ts);
      return {
        deviceId,
        readings: list.map(({ ts, values }) => ({ ts, values })),
        labels: label === undefined ? null : Uint8Array.from(list, (r) => r.label),
      };
    });
    return { features: this.features!, series };
  }

  private pickFeatures(): void {
    const { reserved } = this.layout!;
    this.features = featuresOf(this.path, this.columns, reserved, this.sample, this.options.features);
    const sampled = this.sample.splice(0);
    for (const record of sampled) this.record(record);
  }
}

interface ColumnLayout {
  time: string;
  device: string | undefined;
  label: string | undefined;
  reserved: Set<string>;
}

function columnLayout(path: string, columns: string[], options: CsvSeriesOptions): ColumnLayout {
  const time = pickColumn(columns, options.timeColumn, TIME_COLUMNS, 'time', path);
  const device = options.deviceColumn ?? DEVICE_COLUMNS.find((c) => columns.includes(c));
  if (device !== undefined && !columns.includes(device)) {
    throw new TrainerError(`${path} has no column "${device}" (columns: ${columns.join(', ')})`);
  }
  const label =
    options.requireLabel === false && options.labelColumn && !columns.includes(options.labelColumn)
      ? undefined
      : options.labelColumn;
  if (label !== undefined && !columns.includes(label)) {
    throw new TrainerError(`${path} has no label column "${label}" (columns: ${columns.join(', ')})`);
  }
  const reserved = new Set([time, device, label].filter((c): c is string => c !== undefined));
  return { time, device, label, reserved };
}

function featuresOf(
  path: string,
  columns: string[],
  reserved: Set<string>,
  sample: CsvRecord[],
  wanted: string[] | undefined,
): string[] {
  const features =
    wanted ?? columns.filter((c) => !reserved.has(c) && isNumericColumn(sample, c));
  const absent = features.filter((f) => !columns.includes(f));
  if (absent.length > 0) {
    throw new TrainerError(`${path} has no column(s) ${absent.join(', ')} (columns: ${columns.join(', ')})`);
  }
  if (features.length === 0) throw new TrainerError(`${path} has no numeric feature columns`);
  return features;
}

function rowOf(
  path: string,
  line: number,
  record: Record<string, string>,
  layout: ColumnLayout,
  features: string[],
): Row {
  const ts = parseTimestamp(record[layout.time] ?? '');
  if (!Number.isFinite(ts)) {
    throw new TrainerError(`${path}:${line}: "${record[layout.time]}" in column ${layout.time} is not epoch ms or ISO 8601`);
  }
  const values: Record<string, number> = {};
  for (const f of features) {
    const cell = record[f] ?? '';
    if (cell === '') continue;
    const value = Number(cell);
    if (!Number.isFinite(value)) throw new TrainerError(`${path}:${line}: "${cell}" in column ${f} is not a number`);
    values[f] = value;
  }
  const label = layout.label === undefined ? 0 : Number(record[layout.label]) > 0 ? 1 : 0;
  return { ts, values, label };
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

function isNumericColumn(rows: CsvRecord[], column: string): boolean {
  const sample = rows.map((r) => r.record[column]).filter((v) => v !== undefined && v !== '');
  return sample.length > 0 && sample.every((v) => Number.isFinite(Number(v)));
}
