export type AnomalyStatus = 'open' | 'acknowledged' | 'resolved';
export type AnomalySeverity = 'warning' | 'critical';
export const ANOMALY_STATUSES: readonly AnomalyStatus[] = ['open', 'acknowledged', 'resolved'];
export const ANOMALY_SEVERITIES: readonly AnomalySeverity[] = ['warning', 'critical'];

export interface MetricContribution {
  name: string;
  /** Share of the episode's peak score, 0..1; the list is sorted largest first. */
  contribution: number;
}

/** One detector that went over its threshold during an episode, with its highest score there. */
export interface DetectorFiring {
  detector: string;
  modelVersion: string | null;
  /** Normalised: 1.0 is that detector's threshold. */
  peakScore: number;
  /** Raw threshold in that detector's own units. */
  threshold: number;
}

/** The Anomaly of the REST contract (DESIGN.md); times ISO 8601 taken from the readings. */
export interface Anomaly {
  id: string;
  deviceId: string;
  startedAt: string;
  endedAt: string | null;
  /** Normalised: 1.0 is the detector's threshold. */
  peakScore: number;
  threshold: number;
  severity: AnomalySeverity;
  metrics: MetricContribution[];
  /** The detector with the highest peak (its threshold is `threshold`). */
  detector: string;
  modelVersion: string | null;
  /** Every detector that fired during the episode, highest peak first (the combination rule). */
  detectors: DetectorFiring[];
  status: AnomalyStatus;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export type AnomalyEventType = 'opened' | 'updated' | 'closed';

/** What detection emits as an episode evolves; stored, streamed and published on alerts/{deviceId}. */
export interface AnomalyEvent {
  type: AnomalyEventType;
  anomaly: Anomaly;
}

/** Anomaly ids encode their InfluxDB point (device tag + start time), so a lookup is one query. */
export function anomalyId(deviceId: string, startedAtMs: number): string {
  return Buffer.from(`${deviceId}|${startedAtMs}`, 'utf8').toString('base64url');
}

export function parseAnomalyId(id: string): { deviceId: string; startedAtMs: number } | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const bar = text.lastIndexOf('|');
  if (bar <= 0) return null;
  const startedAtMs = Number(text.slice(bar + 1));
  if (!Number.isSafeInteger(startedAtMs) || startedAtMs < 0) return null;
  return { deviceId: text.slice(0, bar), startedAtMs };
}

export function severityFor(peakScore: number): AnomalySeverity {
  return peakScore >= 2 ? 'critical' : 'warning';
}
