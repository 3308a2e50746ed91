import { Injectable } from '@nestjs/common';
import { InfluxConnection } from '../influx/influx-connection';
import { msTime, quoteIdent, quoteString } from '../influx/influxql';
import { DEVICE_TAG, TELEMETRY_MEASUREMENT } from './telemetry-point';
import {
  buildTelemetryQuery,
  RAW_POINT_LIMIT,
  TelemetryQueryOptions,
  TelemetrySeriesPoint,
  toSeriesPoints,
} from './telemetry-query';

export interface TelemetryQueryResult {
  deviceId: string;
  from: string;
  to: string;
  every: string | null;
  fn: string | null;
  series: TelemetrySeriesPoint[];
}

/** Reads the `telemetry` measurement. */
@Injectable()
export class TelemetryRepository {
  constructor(private readonly influx: InfluxConnection) {}

  async query(deviceId: string, q: TelemetryQueryOptions): Promise<TelemetryQueryResult> {
    const rows = await this.influx.query(buildTelemetryQuery(deviceId, q));
    return {
      deviceId,
      from: new Date(q.from).toISOString(),
      to: new Date(q.to).toISOString(),
      every: q.every !== undefined ? `${q.every}ms` : null,
      fn: q.every !== undefined ? q.fn : null,
      series: toSeriesPoints(rows, q),
    };
  }

  /**
   * Number of stored points (readings) of a device. count(*) counts per field, so points
   * with differing metric sets are counted by paging through their timestamps instead:
   * O(points), meant for tests and tooling.
   */
  async count(deviceId: string): Promise<number> {
    const where = `${quoteIdent(DEVICE_TAG)} = ${quoteString(deviceId)}`;
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
