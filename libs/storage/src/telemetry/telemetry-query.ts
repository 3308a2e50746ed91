import { msTime, quoteIdent, quoteString } from '../influx/influxql';
import { DEVICE_TAG, TELEMETRY_MEASUREMENT } from './line-protocol';

export type TelemetryFn = 'mean' | 'min' | 'max' | 'last' | 'median';
const FNS: readonly TelemetryFn[] = ['mean', 'min', 'max', 'last', 'median'];

export interface TelemetryQueryOptions {
  from: number;
  to: number;
  metrics?: string[];
  /** Bucket width in ms; omitted = raw points. */
  every?: number;
  fn: TelemetryFn;
}

export interface TelemetrySeriesPoint {
  time: string;
  values: Record<string, number | null>;
}

/** Raw queries return at most this many points: the newest ones, oldest first. */
export const RAW_POINT_LIMIT = 10_000;

/** InfluxQL for one device's telemetry: `fn(...) GROUP BY time(every)` or raw points. */
export function buildTelemetryQuery(deviceId: string, q: TelemetryQueryOptions): string {
  const where =
    `WHERE ${quoteIdent(DEVICE_TAG)} = ${quoteString(deviceId)} ` +
    `AND time >= ${msTime(q.from)} AND time <= ${msTime(q.to)}`;
  const from = `FROM ${quoteIdent(TELEMETRY_MEASUREMENT)}`;
  const metrics = q.metrics?.length ? q.metrics : undefined;
  if (q.every === undefined) {
    const select = metrics ? metrics.map(quoteIdent).join(', ') : '*';
    return `SELECT ${select} ${from} ${where} ORDER BY time DESC LIMIT ${RAW_POINT_LIMIT}`;
  }
  if (!FNS.includes(q.fn)) throw new RangeError(`unsupported aggregate ${q.fn}`);
  if (!Number.isSafeInteger(q.every) || q.every < 1) {
    throw new RangeError(`every must be a positive integer of ms, got ${q.every}`);
  }
  const select = metrics
    ? metrics.map((m) => `${q.fn}(${quoteIdent(m)}) AS ${quoteIdent(m)}`).join(', ')
    : `${q.fn}(*)`;
  return `SELECT ${select} ${from} ${where} GROUP BY time(${q.every}ms) fill(none)`;
}

/**
 * Rows (time in epoch ms) to series points, oldest first. Drops the device tag column and
 * the `<fn>_` prefix InfluxDB puts on `fn(*)` columns. With `*`, InfluxDB returns a column
 * for every metric of the measurement (any device); columns with no value in the answer are
 * left out. Explicitly asked metrics are always present (null when absent).
 */
export function toSeriesPoints(
  rows: Array<Record<string, unknown>>,
  q: TelemetryQueryOptions,
): TelemetrySeriesPoint[] {
  const wildcard = !q.metrics?.length;
  const prefix = q.every !== undefined && wildcard ? `${q.fn}_` : '';
  const columns = new Map<string, string>(); // column -> metric name
  for (const row of rows) {
    // for-in, not Object.entries: a minute of one device is ~600 rows (issue 7, query p99).
    for (const column in row) {
      if (column === 'time' || column === DEVICE_TAG || columns.has(column)) continue;
      if (wildcard && typeof row[column] !== 'number') continue;
      columns.set(
        column,
        prefix && column.startsWith(prefix) ? column.slice(prefix.length) : column,
      );
    }
  }
  const points = rows.map((row) => {
    const values: Record<string, number | null> = {};
    for (const [column, name] of columns) {
      const value = row[column];
      values[name] = typeof value === 'number' ? value : null;
    }
    return { ms: Number(row.time), values };
  });
  points.sort((a, b) => a.ms - b.ms);
  const iso = new IsoTimes();
  return points.map(({ ms, values }) => ({ time: iso.format(ms), values }));
}

/**
 * ISO 8601 times for epoch ms, each second formatted once: raw points of one device mostly share
 * their second, and Date#toISOString was most of the cost of a telemetry answer.
 */
export class IsoTimes {
  private second = NaN;
  private prefix = '';

  format(ms: number): string {
    if (!Number.isSafeInteger(ms)) return new Date(ms).toISOString(); // as before, RangeError included
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, -4); // up to and with the '.'
    }
    const milli = ms - second * 1000;
    return `${this.prefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
}
