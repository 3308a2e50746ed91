import { BadRequestException } from '@nestjs/common';
import type { AnomalyStreamQuery, AnomalyStreamResync } from '@iag/contracts';
import type { AnomalyEventReplay, LoggedAnomalyEvent } from '@iag/storage';
import type { Observable } from 'rxjs';

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

export function matchesQuery(query: AnomalyStreamQuery, event: LoggedAnomalyEvent): boolean {
  return (
    (query.deviceId === undefined || event.anomaly.deviceId === query.deviceId) &&
    (query.severity === undefined || event.anomaly.severity === query.severity)
  );
}

/**
 * One event in the text/event-stream format (WHATWG HTML, "Server-sent events"): the type, the
 * sequence number as its id, the anomaly as one line of JSON (JSON.stringify escapes newlines).
 */
export function formatEvent(event: LoggedAnomalyEvent): string {
  return `event: ${event.type}\nid: ${event.seq}\ndata: ${JSON.stringify(event.anomaly)}\n\n`;
}

/** Events after the client's id were trimmed from the log: it should reload the list. No id. */
export function formatResync(latestSeq: number): string {
  const data: AnomalyStreamResync = {
    reason: 'events were trimmed from the log',
    latestId: String(latestSeq),
  };
  return `event: resync\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: clients ignore it; it opens the stream at once and keeps proxies from closing it. */
export function formatComment(text: 'connected' | 'keep-alive'): string {
  return `: ${text}\n\n`;
}
