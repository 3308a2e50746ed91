import { Injectable } from '@nestjs/common';
import { metricNameProblem, TelemetrySeries } from '@iag/contracts';
import { InfluxConnection } from '../influx/influx-connection';
import { msTime, quoteIdent, quoteString, tagRef } from '../influx/influxql';
import { DEVICE_TAG, TELEMETRY_MEASUREMENT } from './line-protocol';
import {
  buildTelemetryQuery,
  RAW_POINT_LIMIT,
  selectedMetrics,
  TelemetryQueryOptions,
  toSeriesPoints,
} from './telemetry-query';

/** Reads the `telemetry` measurement. */
@Injectable()
export class TelemetryRepository {
  constructor(private readonly influx: InfluxConnection) {}

  /**
   * One device's readings: the metrics asked for, else `deviceMetrics` (the names it sent, see
   * DeviceMetricNames), by name; a device with none is answered without asking InfluxDB.
   */
  async query(
    deviceId: string,
    q: TelemetryQueryOptions,
    deviceMetrics: readonly string[],
  ): Promise<TelemetrySeries> {
    const metrics = selectedMetrics(q, deviceMetrics);
    const rows =
      metrics.length === 0
        ? []
        : await this.influx.query(buildTelemetryQuery(deviceId, q, metrics));
    return {
      deviceId,
      from: new Date(q.from).toISOString(),
      to: new Date(q.to).toISOString(),
      every: q.every !== undefined ? `${q.every}ms` : null,
      fn: q.every !== undefined ? q.fn : null,
      series: toSeriesPoints(rows, q, metrics),
    };
  }

  /** Device ids with telemetry (tooling: the trainer's export). */
  async deviceIds(): Promise<string[]> {
    const rows = await this.influx.query(
      `SHOW TAG VALUES FROM ${quoteIdent(TELEMETRY_MEASUREMENT)} WITH KEY = ${quoteIdent(DEVICE_TAG)}`,
    );
    return rows.map((row) => String(row.value)).sort();
  }

  /**
   * The metric names a device has stored, read from InfluxDB (start-up, once per database):
   * `last(*)` of one device reads a block per field it has, and each column with a value is one
   * of its names. What is not a metric name (an older build's `device_id` field) is left out.
   */
  async storedMetricNames(deviceId: string): Promise<string[]> {
    const [row] = await this.influx.query(
      `SELECT last(*) FROM ${quoteIdent(TELEMETRY_MEASUREMENT)} WHERE ${tagRef(DEVICE_TAG)} = ${quoteString(deviceId)}`,
    );
    if (!row) return [];
    return Object.keys(row)
      .filter((column) => column.startsWith('last_') && row[column] !== null)
      .map((column) => column.slice('last_'.length))
      .filter((name) => metricNameProblem(name) === null);
  }

  /**
   * One device's raw readings in [from, to], oldest first, in pages of RAW_POINT_LIMIT
   * (tooling: the trainer's export and train). Metrics absent from a point are left out.
   */
  async *history(
    deviceId: string,
    q: { from: number; to: number; metrics: string[] },
  ): AsyncGenerator<{ ts: number; values: Record<string, number> }[]> {
    const where = `${tagRef(DEVICE_TAG)} = ${quoteString(deviceId)} AND time <= ${msTime(q.to)}`;
    const select = q.metrics.map(quoteIdent).join(', ');
    let after = `time >= ${msTime(q.from)}`;
    for (;;) {
      const rows = await this.influx.query(
        `SELECT ${select} FROM ${quoteIdent(TELEMETRY_MEASUREMENT)} WHERE ${where} AND ${after} ORDER BY time ASC LIMIT ${RAW_POINT_LIMIT}`,
      );
      yield rows.map((row) => {
        const values: Record<string, number> = {};
        for (const m of q.metrics) if (typeof row[m] === 'number') values[m] = row[m];
        return { ts: Number(row.time), values };
      });
      if (rows.length < RAW_POINT_LIMIT) return;
      after = `time > ${msTime(Number(rows[rows.length - 1].time))}`;
    }
  }

  /**
   * Number of stored points (readings) of a device. count(*) counts per field, so points
   * with differing metric sets are counted by paging through their timestamps instead:
   * O(points), meant for tests and tooling.
   */
  async count(deviceId: string): Promise<number> {
    const where = `${tagRef(DEVICE_TAG)} = ${quoteString(deviceId)}`;
    const from = quoteIdent(TELEMETRY_MEASUREMENT);
    let total = 0;
    let after = '';
    for (;;) {
      const rows = await this.influx.query(
        `SELECT * FROM ${from} WHERE ${where}${after} ORDER BY time ASC LIMIT ${RAW_POINT_LIMIT}`,
      );
      total += rows.length;
      if (rows.length < RAW_POINT_LIMIT) return total;
      after = ` AND time > ${msTime(Number(rows[rows.length - 1].time))}`;
    }
  }
}
