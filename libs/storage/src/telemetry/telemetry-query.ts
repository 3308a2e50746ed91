import type { TelemetrySeriesPoint } from '@iag/contracts';
import { msTime, quoteIdent, quoteString, tagRef } from '../influx/influxql';
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

/** Raw queries return at most this many points: the newest ones, oldest first. */
export const RAW_POINT_LIMIT = 10_000;

/** What one device's answer asks for: the names asked (`metrics=`) or else the device's own. */
export function selectedMetrics(
  q: TelemetryQueryOptions,
  deviceMetrics: readonly string[],
): readonly string[] {
  return q.metrics?.length ? q.metrics : deviceMetrics;
}

/**
 * InfluxQL for one device's telemetry: `fn(m) AS m ... GROUP BY time(every)` or raw points. The
 * fields are named, never `*`: field keys are measurement-wide, so `*` would answer with a
 * column for every name any device ever sent. `metrics` must not be empty.
 */
export function buildTelemetryQuery(
  deviceId: string,
  q: TelemetryQueryOptions,
  metrics: readonly string[],
): string {
  if (metrics.length === 0) throw new RangeError('a telemetry query needs at least one metric');
  const where =
    `WHERE ${tagRef(DEVICE_TAG)} = ${quoteString(deviceId)} ` +
    `AND time >= ${msTime(q.from)} AND time <= ${msTime(q.to)}`;
  const from = `FROM ${quoteIdent(TELEMETRY_MEASUREMENT)}`;
  if (q.every === undefined) {
    const select = metrics.map(quoteIdent).join(', ');
    return `SELECT ${select} ${from} ${where} ORDER BY time DESC LIMIT ${RAW_POINT_LIMIT}`;
  }
  if (!FNS.includes(q.fn)) throw new RangeError(`unsupported aggregate ${q.fn}`);
  if (!Number.isSafeInteger(q.every) || q.every < 1) {
    throw new RangeError(`every must be a positive integer of ms, got ${q.every}`);
  }
  const select = metrics.map((m) => `${q.fn}(${quoteIdent(m)}) AS ${quoteIdent(m)}`).join(', ');
  return `SELECT ${select} ${from} ${where} GROUP BY time(${q.every}ms) fill(none)`;
}

/**
 * Rows (time in epoch ms) to series points, oldest first, with a value (or null) for each of
 * `metrics`. Explicitly asked metrics are always present; of the device's own names (no
 * `metrics=`), those with no value in the answer are left out.
 */
export function toSeriesPoints(
  rows: Array<Record<string, unknown>>,
  q: TelemetryQueryOptions,
  metrics: readonly string[],
): TelemetrySeriesPoint[] {
  const columns = q.metrics?.length
    ? metrics
    : metrics.filter((m) => rows.some((row) => typeof row[m] === 'number'));
  const points = rows.map((row) => {
    const values: Record<string, number | null> = {};
    for (const name of columns) {
      const value = row[name];
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
