import {
  Injectable,
  Logger,
  MessageEvent,
  NotFoundException,
  OnModuleDestroy,
} from '@nestjs/common';
import { AnomaliesQuery, Anomaly, parseAnomalyId, Principal } from '@iag/contracts';
import { AnomalyEventLog, AnomalyRepository } from '@iag/storage';
import { Observable, ReplaySubject } from 'rxjs';
import { SSE_HEARTBEAT_MS } from '../api.constants';
import { anomalyStream, AnomalyStreamQuery } from './anomaly-stream';

export interface AnomalyPage {
  items: Anomaly[];
  nextCursor: string | null;
}

/** Anomaly queries, the operator workflow (acknowledge, resolve) and the live stream. */
@Injectable()
export class AnomaliesService implements OnModuleDestroy {
  private readonly logger = new Logger(AnomaliesService.name);
  /** Replays, so a stream opened during shutdown ends at once too. */
  private readonly closing = new ReplaySubject<void>(1);

  constructor(
    private readonly anomalies: AnomalyRepository,
    private readonly eventLog: AnomalyEventLog,
  ) {}

  find(query: AnomaliesQuery): Promise<AnomalyPage> {
    return this.anomalies.find(query);
  }

  async get(id: string): Promise<Anomaly> {
    const anomaly = parseAnomalyId(id) ? await this.anomalies.get(id) : null;
    if (!anomaly) throw anomalyNotFound(id);
    return anomaly;
  }

  async setStatus(
    id: string,
    status: 'acknowledged' | 'resolved',
    by: Principal,
  ): Promise<Anomaly> {
    if (!parseAnomalyId(id)) throw anomalyNotFound(id);
    const anomaly = await this.anomalies.setStatus(id, status, by.name, new Date());
    this.logger.log(`anomaly ${id} ${status} by ${by.name}`);
    return anomaly;
  }

  stream(query: AnomalyStreamQuery, lastEventId?: number): Observable<MessageEvent> {
    return anomalyStream(this.eventLog, query, lastEventId, SSE_HEARTBEAT_MS, this.closing);
  }

  /** Ends open SSE streams cleanly at shutdown instead of leaving them to be cut off. */
  onModuleDestroy(): void {
    this.closing.next();
    this.closing.complete();
  }
}

function anomalyNotFound(id: string): NotFoundException {
  return new NotFoundException(`anomaly ${JSON.stringify(id.slice(0, 200))} not found`);
}
