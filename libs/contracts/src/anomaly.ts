import { z } from 'zod';
import { DEVICE_ID_PATTERN } from './identifiers';
import { pageSchema } from './paging';
import { isoTimeSchema, responseShape, sharedShape } from './rest-registry';

export const anomalyStatusSchema = sharedShape(z.enum(['open', 'acknowledged', 'resolved']), {
  id: 'AnomalyStatus',
});
export type AnomalyStatus = z.output<typeof anomalyStatusSchema>;
export const ANOMALY_STATUSES: readonly AnomalyStatus[] = anomalyStatusSchema.options;

export const anomalySeveritySchema = sharedShape(z.enum(['warning', 'critical']), {
  id: 'AnomalySeverity',
  description: 'critical from a peak score of 2 (twice the threshold)',
});
export type AnomalySeverity = z.output<typeof anomalySeveritySchema>;
export const ANOMALY_SEVERITIES: readonly AnomalySeverity[] = anomalySeveritySchema.options;

export const metricContributionSchema = responseShape(
  z.object({
    name: z.string(),
    contribution: z.number().describe("Share of the episode's peak score, 0..1"),
  }),
  { id: 'MetricContribution', description: 'One metric; the list is sorted largest first' },
);
export type MetricContribution = z.output<typeof metricContributionSchema>;

/** One detector that went over its threshold during an episode, with its highest score there. */
export const detectorFiringSchema = responseShape(
  z.object({
    detector: z.string(),
    modelVersion: z.string().nullable(),
    peakScore: z.number().describe("Normalised: 1.0 is that detector's threshold"),
    threshold: z.number().describe("Raw threshold in that detector's units"),
  }),
  { id: 'DetectorFiring' },
);
export type DetectorFiring = z.output<typeof detectorFiringSchema>;

/** The Anomaly of the REST contract; times ISO 8601 taken from the readings. */
export const anomalySchema = responseShape(
  z.object({
    id: z.string(),
    deviceId: z.string(),
    startedAt: isoTimeSchema,
    endedAt: isoTimeSchema.nullable().describe('null while the episode lasts'),
    peakScore: z.number().describe('Normalised: 1.0 is the detector threshold'),
    threshold: z.number(),
    severity: anomalySeveritySchema,
    metrics: z.array(metricContributionSchema),
    detector: z
      .string()
      .describe('The detector with the highest peak (its threshold is threshold)'),
    modelVersion: z.string().nullable(),
    detectors: z
      .array(detectorFiringSchema)
      .describe(
        'Every detector that went over its threshold during the episode, highest peak first',
      ),
    status: anomalyStatusSchema,
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: isoTimeSchema.nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: isoTimeSchema.nullable(),
  }),
  { id: 'Anomaly', description: 'An anomaly episode of one device' },
);
export type Anomaly = z.output<typeof anomalySchema>;

export const anomalyPageSchema = responseShape(pageSchema(anomalySchema), {
  id: 'AnomalyPage',
  description: 'Anomalies, newest first',
});

export const anomalyEventTypeSchema = responseShape(z.enum(['opened', 'updated', 'closed']), {
  id: 'AnomalyEventType',
  description: 'The SSE event name of a change to an anomaly',
});
export type AnomalyEventType = z.output<typeof anomalyEventTypeSchema>;

/** What detection emits as an episode evolves; stored, streamed and published on alerts/{deviceId}. */
export const anomalyEventSchema = responseShape(
  z.object({ type: anomalyEventTypeSchema, anomaly: anomalySchema }),
  { id: 'AnomalyEvent' },
);
export type AnomalyEvent = z.output<typeof anomalyEventSchema>;

/** The data of the stream's `resync` event: events after the client's Last-Event-ID were trimmed. */
export const anomalyStreamResyncSchema = responseShape(
  z.object({
    reason: z.string(),
    latestId: z.string().describe('The id of the newest event kept; reload the list, then resume'),
  }),
  { id: 'AnomalyStreamResync' },
);
export type AnomalyStreamResync = z.output<typeof anomalyStreamResyncSchema>;

/** Filters of GET /anomalies/stream; strict like every other query. */
export const anomalyStreamQuerySchema = z
  .object({
    deviceId: z
      .string()
      .regex(DEVICE_ID_PATTERN, `must match ${DEVICE_ID_PATTERN.source}`)
      .optional(),
    severity: anomalySeveritySchema.optional(),
  })
  .strict();
export type AnomalyStreamQuery = z.output<typeof anomalyStreamQuerySchema>;

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
