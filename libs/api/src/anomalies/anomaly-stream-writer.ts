import type { AnomalyStreamQuery } from '@iag/contracts';
import type { LoggedAnomalyEvent } from '@iag/storage';
import type { Subscription } from 'rxjs';
import { apiSseClients, apiSseStalled } from '../api.metrics';
import {
  AnomalyEventSource,
  formatComment,
  formatEvent,
  formatResync,
  matchesQuery,
} from './anomaly-stream';

/** The part of http.ServerResponse a stream writes to. */
export interface StreamResponse {
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  destroy(): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
}

export interface AnomalyStreamOptions {
  query: AnomalyStreamQuery;
  /** Resume after this event; undefined = only what happens from now on. */
  lastEventId: number | undefined;
  heartbeatMs: number;
  /** The socket may stay unwritable this long; then the stream is closed. */
  stallTimeoutMs: number;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-store, no-transform',
  connection: 'keep-alive',
  // nginx would otherwise buffer the stream.
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
};

const NOTHING: LoggedAnomalyEvent[] = [];

/**
 * One live anomaly stream, written straight to the response with back-pressure. Nothing queues
 * per stream: the stream keeps a cursor (the last event it handled) and reads what follows from
 * the event log while its socket takes more. When write() says the socket is full it stops,
 * and goes on from the log at 'drain'; events appended meanwhile stay in the log, which holds
 * them anyway, and a reader that falls further behind than the log reaches gets `resync`, as a
 * resume would. So a stalled reader costs the socket's buffer (its high-water mark plus the one
 * event that crossed it) and, while it catches up, one array of references into the log. A
 * socket that stays unwritable for `stallTimeoutMs` is destroyed.
 *
 * A comment first, so the client sees the stream open at once; a heartbeat comment while idle,
 * so proxies keep it open and dead clients are noticed.
 */
export class AnomalyStreamWriter {
  private cursor = 0;
  private batch = NOTHING;
  private next = 0;
  /** Events after the cursor are in the log that this stream has not read yet. */
  private behind = false;
  private subscription: Subscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly log: AnomalyEventSource,
    private readonly response: StreamResponse,
    private readonly options: AnomalyStreamOptions,
    /** Called once when the stream is over, however it ended. */
    private readonly onFinish: () => void,
  ) {}

  start(): void {
    apiSseClients.inc();
    this.response.once('close', () => this.finish());
    this.response.writeHead(200, SSE_HEADERS);
    const { lastEventId } = this.options;
    // Reading the log's position and subscribing happen in one synchronous step: no event falls between.
    this.cursor = lastEventId ?? this.log.latestSeq();
    this.behind = lastEventId !== undefined;
    this.subscription = this.log.appended.subscribe((event) => this.appended(event));
    this.heartbeat = setInterval(() => {
      if (!this.blocked()) this.write(formatComment('keep-alive'));
    }, this.options.heartbeatMs);
    this.write(formatComment('connected'));
    this.pump();
  }

  /** Shutdown: ends the stream cleanly, or cuts it when its socket takes nothing more. */
  close(): void {
    if (this.finished) return;
    if (this.response.writableNeedDrain) this.response.destroy();
    else this.response.end();
    this.finish();
  }

  private appended(event: LoggedAnomalyEvent): void {
    if (event.seq <= this.cursor) return;
    const idle = !this.behind && this.next >= this.batch.length;
    if (idle && event.seq === this.cursor + 1 && !this.blocked()) {
      this.deliver(event); // the usual case: a reader that keeps up never reads the log
      return;
    }
    this.behind = true;
    this.pump();
  }

  /** Writes what follows the cursor until the socket is full or nothing is left. */
  private pump(): void {
    while (!this.blocked()) {
      if (this.next >= this.batch.length) {
        this.batch = NOTHING;
        if (!this.behind) return;
        this.readLog();
        continue;
      }
      this.deliver(this.batch[this.next++]);
    }
  }

  private readLog(): void {
    this.behind = false;
    const { events, gap } = this.log.since(this.cursor);
    if (gap) this.write(formatResync(this.log.latestSeq()));
    this.batch = events.length > 0 ? events : NOTHING;
    this.next = 0;
  }

  private deliver(event: LoggedAnomalyEvent): void {
    this.cursor = event.seq;
    if (matchesQuery(this.options.query, event)) this.write(formatEvent(event));
  }

  /** Called only while the socket takes more, so at most one 'drain' wait is ever pending. */
  private write(chunk: string): void {
    if (this.response.write(chunk)) return;
    this.stallTimer ??= setTimeout(() => this.stalled(), this.options.stallTimeoutMs);
    this.response.once('drain', () => {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      this.pump();
    });
  }

  private stalled(): void {
    if (this.finished) return;
    apiSseStalled.inc();
    this.response.destroy();
    this.finish();
  }

  private blocked(): boolean {
    return this.finished || this.response.destroyed || this.response.writableNeedDrain;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.subscription?.unsubscribe();
    clearInterval(this.heartbeat);
    clearTimeout(this.stallTimer);
    this.batch = NOTHING;
    apiSseClients.dec();
    this.onFinish();
  }
}
