import {
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  OnModuleDestroy,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  AnomaliesQuery,
  Anomaly,
  AnomalyStreamQuery,
  Page,
  parseAnomalyId,
  Principal,
} from '@iag/contracts';
import { GatewayConfig } from '@iag/config';
import { AnomalyEventLog, AnomalyRepository } from '@iag/storage';
import type { FastifyReply } from 'fastify';
import { SSE_HEARTBEAT_MS } from '../api.constants';
import { apiSseRefused } from '../api.metrics';
import { AnomalyStreamWriter } from './anomaly-stream-writer';
import { StreamCap, StreamCaps } from './stream-caps';

/** Anomaly queries, the operator workflow (acknowledge, resolve) and the live stream. */
@Injectable()
export class AnomaliesService implements OnModuleDestroy {
  private readonly logger = new Logger(AnomaliesService.name);
  private readonly streams = new Set<AnomalyStreamWriter>();
  private readonly caps: StreamCaps;
  private closing = false;

  constructor(
    private readonly anomalies: AnomalyRepository,
    private readonly eventLog: AnomalyEventLog,
    private readonly config: GatewayConfig,
  ) {
    const { sseStreamsPerKey, sseStreams } = config.restLimits;
    this.caps = new StreamCaps(sseStreamsPerKey, sseStreams);
  }

  find(query: AnomaliesQuery): Promise<Page<Anomaly>> {
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

  /**
   * Takes the response over for the live stream (see AnomalyStreamWriter), or refuses it with a
   * 429 past SSE_MAX_STREAMS_PER_KEY for the key or SSE_MAX_STREAMS in all.
   */
  stream(
    reply: FastifyReply,
    by: Principal,
    query: AnomalyStreamQuery,
    lastEventId: number | undefined,
  ): void {
    if (this.closing) throw new ServiceUnavailableException('the gateway is shutting down');
    const full = this.caps.tryOpen(by.keyId);
    if (full) throw this.refused(full);
    reply.hijack();
    // The stream has its own stall timeout and heartbeat: the listener's inactivity timeout is not for it.
    reply.raw.socket?.setTimeout(0);
    reply.raw.socket?.setNoDelay(true);
    const writer = new AnomalyStreamWriter(
      this.eventLog,
      reply.raw,
      {
        query,
        lastEventId,
        heartbeatMs: SSE_HEARTBEAT_MS,
        stallTimeoutMs: this.config.restLimits.sseStallTimeoutMs,
      },
      () => {
        this.streams.delete(writer);
        this.caps.close(by.keyId);
      },
    );
    this.streams.add(writer);
    writer.start();
  }

  /** Ends open SSE streams cleanly at shutdown instead of leaving them to be cut off. */
  onModuleDestroy(): void {
    this.closing = true;
    for (const writer of [...this.streams]) writer.close();
  }

  private refused(cap: StreamCap): HttpException {
    apiSseRefused.inc({ cap });
    const message =
      cap === 'per_key'
        ? `this API key already has ${this.caps.maxPerKey} open anomaly streams (SSE_MAX_STREAMS_PER_KEY); close one first`
        : `the gateway already serves ${this.caps.maxTotal} anomaly streams (SSE_MAX_STREAMS); try again later`;
    return new HttpException(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}

function anomalyNotFound(id: string): NotFoundException {
  return new NotFoundException(`anomaly ${JSON.stringify(id.slice(0, 200))} not found`);
}
