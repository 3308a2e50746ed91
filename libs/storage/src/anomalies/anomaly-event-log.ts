import { Injectable } from '@nestjs/common';
import { AnomalyEvent } from '@iag/contracts';
import { GatewayConfig } from '@iag/config';
import { Observable, Subject } from 'rxjs';
import { RegistryStore } from '../registry/registry-store';

/** An anomaly event with its place in the gateway's one ordered history (the SSE event id). */
export interface LoggedAnomalyEvent extends AnomalyEvent {
  seq: number;
}

/** What a reader resuming after `seq` gets: the events after it, and whether some were already forgotten. */
export interface AnomalyEventReplay {
  events: LoggedAnomalyEvent[];
  /** True when events after `seq` were trimmed from the log: the reader missed some. */
  gap: boolean;
}

const key = (seq: number) => String(seq).padStart(16, '0');

/**
 * The ordered, bounded history of anomaly events: each gets the next sequence number when it is
 * appended, and the newest `capacity` are kept in memory and in lmdb (DATA_DIR/registry), so
 * sequence numbers keep growing across restarts and a client can resume after any id still held.
 */
@Injectable()
export class AnomalyEventLog {
  private readonly recent: LoggedAnomalyEvent[] = [];
  private readonly subject = new Subject<LoggedAnomalyEvent>();
  private lastSeq = 0;
  private readonly capacity: number;

  constructor(
    private readonly store: RegistryStore,
    config: GatewayConfig,
  ) {
    this.capacity = config.alerts.eventLogSize;
  }

  /** Live events, each emitted once it is durable. */
  get appended(): Observable<LoggedAnomalyEvent> {
    return this.subject.asObservable();
  }

  /** Reads the kept history from lmdb; called once the registry is open. */
  load(): void {
    const db = this.db();
    const newest = [...db.getRange({ reverse: true, limit: this.capacity })];
    this.recent.length = 0;
    for (const { value } of newest.reverse()) this.recent.push(value);
    this.lastSeq = this.recent.at(-1)?.seq ?? 0;
  }

  /** Gives the event the next sequence number, stores it, then tells live readers. */
  async append(event: AnomalyEvent): Promise<LoggedAnomalyEvent> {
    const logged: LoggedAnomalyEvent = { seq: ++this.lastSeq, ...event };
    const db = this.db();
    await db.put(key(logged.seq), logged);
    this.recent.push(logged);
    if (this.recent.length > this.capacity) {
      const dropped = this.recent.splice(0, this.recent.length - this.capacity);
      for (const old of dropped) void db.remove(key(old.seq));
    }
    this.subject.next(logged);
    return logged;
  }

  /** The events after `seq` that are still kept (synchronous: nothing can be appended meanwhile). */
  since(seq: number): AnomalyEventReplay {
    const oldest = this.recent[0]?.seq ?? this.lastSeq + 1;
    const events = this.recent.filter((e) => e.seq > seq);
    return { events, gap: seq < oldest - 1 && seq < this.lastSeq };
  }

  latestSeq(): number {
    return this.lastSeq;
  }

  private db() {
    return this.store.db<LoggedAnomalyEvent>('anomaly_events');
  }
}
