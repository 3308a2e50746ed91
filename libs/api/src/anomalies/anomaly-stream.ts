import { BadRequestException, MessageEvent } from '@nestjs/common';
import type { AnomalySeverity } from '@iag/contracts';
import { ANOMALY_SEVERITIES, DEVICE_ID_PATTERN } from '@iag/contracts';
import type { AnomalyEventReplay, LoggedAnomalyEvent } from '@iag/storage';
import {
  defer,
  filter,
  finalize,
  from,
  interval,
  map,
  merge,
  Observable,
  of,
  takeUntil,
} from 'rxjs';
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

/** The Last-Event-ID header: the id of the last event the client saw (a sequence number). */
export function parseLastEventId(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(header.trim())) {
    throw new BadRequestException('Last-Event-ID: must be the id of an event of this stream');
  }
  return Number(header.trim());
}

/** The part of the anomaly event log a stream reads. */
export interface AnomalyEventSource {
  readonly appended: Observable<LoggedAnomalyEvent>;
  since(seq: number): AnomalyEventReplay;
  latestSeq(): number;
}

export function toMessageEvent(event: LoggedAnomalyEvent): MessageEvent {
  return { type: event.type, id: String(event.seq), data: event.anomaly };
}

/**
 * The SSE feed: a comment first, so the client sees the stream open at once; with a Last-Event-ID,
 * the kept events after it; then live events, with a heartbeat comment while idle (proxies keep
 * it open, dead clients are noticed). The replay is read and the live feed joined in one
 * synchronous step, so no event falls between them. When the log no longer holds every event
 * after the client's id, a `resync` event (no id) says so first: reload the list, then carry on.
 * Completes when `until` emits (shutdown), so clients see a clean end of stream.
 */
export function anomalyStream(
  log: AnomalyEventSource,
  query: AnomalyStreamQuery,
  lastEventId: number | undefined,
  heartbeatMs: number,
  until: Observable<unknown>,
): Observable<MessageEvent> {
  const matches = (e: LoggedAnomalyEvent) =>
    (query.deviceId === undefined || e.anomaly.deviceId === query.deviceId) &&
    (query.severity === undefined || e.anomaly.severity === query.severity);
  const heartbeat = interval(heartbeatMs).pipe(
    map((): MessageEvent => ({ comment: 'keep-alive' })),
  );
  return defer(() => {
    apiSseClients.inc();
    const replay = lastEventId === undefined ? { events: [], gap: false } : log.since(lastEventId);
    const head: MessageEvent[] = [{ comment: 'connected' }];
    if (replay.gap) {
      head.push({
        type: 'resync',
        data: { reason: 'events were trimmed from the log', latestId: String(log.latestSeq()) },
      });
    }
    const events = merge(from(replay.events), log.appended).pipe(
      filter(matches),
      map(toMessageEvent),
    );
    return merge(of(...head), events, heartbeat);
  }).pipe(
    takeUntil(until),
    finalize(() => apiSseClients.dec()),
  );
}
