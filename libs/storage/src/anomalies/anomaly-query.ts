import { msTime, quoteIdent, quoteString, tagRef } from '../influx/influxql';
import { ANOMALY_DEVICE_TAG, ANOMALY_MEASUREMENT } from './anomaly-point';

export interface AnomalyFilter {
  deviceId?: string;
  from?: number;
  to?: number;
  status?: string;
  severity?: string;
  minScore?: number;
}

/** Tag, field and time conditions for a filter; `to` may be tightened by a cursor. */
export function filterConditions(filter: AnomalyFilter): string[] {
  const conditions: string[] = [];
  if (filter.deviceId !== undefined) {
    conditions.push(`${tagRef(ANOMALY_DEVICE_TAG)} = ${quoteString(filter.deviceId)}`);
  }
  if (filter.status !== undefined) conditions.push(`"status" = ${quoteString(filter.status)}`);
  if (filter.severity !== undefined)
    conditions.push(`"severity" = ${quoteString(filter.severity)}`);
  if (filter.minScore !== undefined) {
    if (!Number.isFinite(filter.minScore)) throw new RangeError('minScore must be finite');
    conditions.push(`"peak_score" >= ${plainNumber(filter.minScore)}`);
  }
  if (filter.from !== undefined) conditions.push(`time >= ${msTime(filter.from)}`);
  if (filter.to !== undefined) conditions.push(`time <= ${msTime(filter.to)}`);
  return conditions;
}

export function selectAnomalies(conditions: string[], tail = ''): string {
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return `SELECT * FROM ${quoteIdent(ANOMALY_MEASUREMENT)}${where}${tail}`;
}

/** Every anomaly matching `filter` that started exactly at `ms` (one per device at most). */
export function selectAt(filter: AnomalyFilter, ms: number): string {
  return selectAnomalies([
    ...filterConditions(filter),
    `time >= ${msTime(ms)}`,
    `time <= ${msTime(ms)}`,
  ]);
}

/** The newest `limit` matching anomalies (ties on the last ms may be cut: see the repository). */
export function selectNewest(filter: AnomalyFilter, limit: number): string {
  return selectAnomalies(filterConditions(filter), ` ORDER BY time DESC LIMIT ${limit}`);
}

/** The newest anomaly of every device: the only one of a device that can still be open. */
export function selectNewestPerDevice(): string {
  return selectAnomalies([], ` GROUP BY ${tagRef(ANOMALY_DEVICE_TAG)} ORDER BY time DESC LIMIT 1`);
}

/** InfluxQL number literals have no exponent form: 1e-7 must be written 0.0000001. */
function plainNumber(value: number): string {
  const text = String(value);
  return text.includes('e') ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}
