import type { MessageEvent } from '@nestjs/common';
import type { AnomalyEvent, AnomalySeverity } from '@iag/contracts';
import { ANOMALY_SEVERITIES, DEVICE_ID_PATTERN } from '@iag/contracts';
import { defer, filter, finalize, interval, map, merge, Observable, of, takeUntil } from 'rxjs';
import { z } from 'zod';
import { apiSseClients } from '../api.metrics';

/** Filters of GET /anomalies/stream; strict like every other query. */
export const anomalyStreamQuerySchema = z
  .object({
    deviceId: z
      .string()
      .regex(DEVICE_ID_PATTERN, `must match ${DEVICE_ID_PATTERN.source}`)
      .optional(),
    severity: z.enum(ANOMALY_SEVERITIES as [AnomalySeverity, ...AnomalySeverity[]]).optional(),
  })
  .strict();
export type AnomalyStreamQuery = z.output<typeof anomalyStreamQuerySchema>;

export function toMessageEvent(event: AnomalyEvent, now: number = Date.now()): MessageEvent {
  return { type: event.type, id: `${event.anomaly.id}:${event.type}:${now}`, data: event.anomaly };
}

/**
 * The SSE feed: a comment first, so the client sees the stream open at once, then matching
 * events, with a heartbeat comment while idle (proxies keep it open, dead clients are noticed).
 * Completes when `until` emits (shutdown), so clients see a clean end of stream.
 */
export function anomalyStream(
  events: Observable<AnomalyEvent>,
  query: AnomalyStreamQuery,
  heartbeatMs: number,
  until: Observable<unknown>,
): Observable<MessageEvent> {
  const matching = events.pipe(
    filter((e) => query.deviceId === undefined || e.anomaly.deviceId === query.deviceId),
    filter((e) => query.severity === undefined || e.anomaly.severity === query.severity),
    map((e) => toMessageEvent(e)),
  );
  const heartbeat = interval(heartbeatMs).pipe(
    map((): MessageEvent => ({ comment: 'keep-alive' })),
  );
  return defer(() => {
    apiSseClients.inc();
    return merge(of<MessageEvent>({ comment: 'connected' }), matching, heartbeat);
  }).pipe(
    takeUntil(until),
    finalize(() => apiSseClients.dec()),
  );
}
