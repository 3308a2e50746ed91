import {
  Anomaly,
  AnomalySeverity,
  AnomalyStatus,
  anomalyId,
  DetectorFiring,
  MetricContribution,
} from '@iag/contracts';

export const ANOMALY_MEASUREMENT = 'anomalies';
export const ANOMALY_DEVICE_TAG = 'device_id';

export type FieldSet = Record<string, number | string>;

/**
 * The episode's own fields. Status fields are written separately, so InfluxDB's field-set
 * merge (same series + time) keeps an operator's acknowledgement through later updates.
 */
export function episodeFields(anomaly: Anomaly, isNew: boolean): FieldSet {
  const fields: FieldSet = {
    peak_score: anomaly.peakScore,
    threshold: anomaly.threshold,
    severity: anomaly.severity,
    metrics: JSON.stringify(anomaly.metrics),
    detector: anomaly.detector,
    detectors: JSON.stringify(anomaly.detectors),
  };
  if (anomaly.endedAt !== null) fields.ended_at = Date.parse(anomaly.endedAt);
  if (anomaly.modelVersion !== null) fields.model_version = anomaly.modelVersion;
  if (isNew) fields.status = 'open';
  return fields;
}

export function statusFields(status: 'acknowledged' | 'resolved', by: string, at: Date): FieldSet {
  return status === 'acknowledged'
    ? { status, acknowledged_by: by, acknowledged_at: at.getTime() }
    : { status, resolved_by: by, resolved_at: at.getTime() };
}

/** One `SELECT *` row (time in epoch ms, device tag merged) back to the contract's Anomaly. */
export function rowToAnomaly(row: Record<string, unknown>): Anomaly {
  const deviceId = String(row[ANOMALY_DEVICE_TAG]);
  const startedAtMs = Number(row.time);
  const detector = stringOrNull(row.detector) ?? 'unknown';
  const modelVersion = stringOrNull(row.model_version);
  const peakScore = numberOr(row.peak_score, 0);
  const threshold = numberOr(row.threshold, 0);
  return {
    id: anomalyId(deviceId, startedAtMs),
    deviceId,
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: isoOrNull(row.ended_at),
    peakScore,
    threshold,
    severity: (stringOrNull(row.severity) ?? 'warning') as AnomalySeverity,
    metrics: parseMetrics(row.metrics),
    detector,
    modelVersion,
    // Points written before episodes listed their detectors had exactly one.
    detectors: parseJsonArray<DetectorFiring>(row.detectors) ?? [
      { detector, modelVersion, peakScore, threshold },
    ],
    status: (stringOrNull(row.status) ?? 'open') as AnomalyStatus,
    acknowledgedBy: stringOrNull(row.acknowledged_by),
    acknowledgedAt: isoOrNull(row.acknowledged_at),
    resolvedBy: stringOrNull(row.resolved_by),
    resolvedAt: isoOrNull(row.resolved_at),
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isoOrNull(value: unknown): string | null {
  return typeof value === 'number' ? new Date(value).toISOString() : null;
}

function parseMetrics(value: unknown): MetricContribution[] {
  return parseJsonArray<MetricContribution>(value) ?? [];
}

function parseJsonArray<T>(value: unknown): T[] | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as T[]) : null;
  } catch {
    return null;
  }
}

/**
 * What InfluxDB holds after `episodeFields(update, isNew)` is written over `stored`: the episode's
 * fields replace the stored ones (ended_at and model_version only when set), the operator's stay.
 */
export function mergeEpisode(
  stored: Anomaly | undefined,
  update: Anomaly,
  isNew: boolean,
): Anomaly {
  return {
    ...update,
    endedAt: update.endedAt ?? stored?.endedAt ?? null,
    modelVersion: update.modelVersion ?? stored?.modelVersion ?? null,
    status: isNew ? 'open' : (stored?.status ?? 'open'),
    acknowledgedBy: stored?.acknowledgedBy ?? null,
    acknowledgedAt: stored?.acknowledgedAt ?? null,
    resolvedBy: stored?.resolvedBy ?? null,
    resolvedAt: stored?.resolvedAt ?? null,
  };
}
