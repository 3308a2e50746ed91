import { Injectable, Logger } from '@nestjs/common';
import { Anomaly } from '@iag/contracts';
import { GatewayConfig } from '@iag/config';
import { InfluxConnection } from '../influx/influx-connection';
import { msTime } from '../influx/influxql';
import { backoffDelay } from '../telemetry/backoff';
import { AnomalyIndex } from './anomaly-index';
import { rowToAnomaly } from './anomaly-point';
import { selectAnomalies, selectAt } from './anomaly-query';

const PAGE = 5000;
const REBUILD_BACKOFF = { baseMs: 1_000, maxMs: 60_000 };
const TRIM_EVERY_MS = 3600_000;

/**
 * Keeps the AnomalyIndex a copy of InfluxDB's `anomalies`. The first fill is awaited at start
 * (reads use InfluxDB until it is done; retried while InfluxDB does not answer). Every later
 * start reads InfluxDB again in the background, so a write that reached InfluxDB but not the
 * index (a crash between the two) is healed; an hourly trim follows InfluxDB's retention policy.
 */
@Injectable()
export class AnomalySync {
  private readonly logger = new Logger(AnomalySync.name);
  private trimTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly influx: InfluxConnection,
    private readonly index: AnomalyIndex,
    private readonly config: GatewayConfig,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    if (this.config.influx.retention !== 'INF') {
      this.trimTimer = setInterval(() => void this.trim(), TRIM_EVERY_MS).unref();
    }
    if (this.index.ready) {
      void this.rebuild(0);
      return;
    }
    await this.rebuild(0);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.trimTimer);
    clearTimeout(this.retryTimer);
  }

  private async rebuild(attempt: number): Promise<void> {
    try {
      const count = await this.copyFromInflux();
      if (this.stopped) return;
      if (!this.index.ready) this.logger.log(`anomaly index filled from InfluxDB (${count})`);
      await this.index.markReady();
    } catch (error) {
      if (this.stopped) return;
      const wait = backoffDelay(attempt, REBUILD_BACKOFF);
      this.logger.warn(
        `anomaly index not filled from InfluxDB (retry in ${wait} ms): ${(error as Error).message}`,
      );
      this.retryTimer = setTimeout(() => void this.rebuild(attempt + 1), wait).unref();
    }
  }

  /** Every stored anomaly, oldest first, page by page; then drops what InfluxDB no longer has. */
  private async copyFromInflux(): Promise<number> {
    this.index.beginRebuild();
    try {
      let count = 0;
      let oldestMs: number | undefined;
      for await (const page of this.influxPages()) {
        if (this.stopped) return count;
        oldestMs ??= page.length > 0 ? Date.parse(page[0].startedAt) : undefined;
        await this.index.fill(page);
        count += page.length;
      }
      if (oldestMs !== undefined) await this.index.removeBefore(oldestMs);
      return count;
    } finally {
      this.index.endRebuild();
    }
  }

  /** LIMIT can cut through the anomalies of one ms, so a full page's last ms is read whole. */
  private async *influxPages(): AsyncGenerator<Anomaly[]> {
    let after: number | undefined;
    for (;;) {
      const conditions = after === undefined ? [] : [`time > ${msTime(after)}`];
      const q = selectAnomalies(conditions, ` ORDER BY time ASC LIMIT ${PAGE}`);
      const page = (await this.influx.query(q)).map(rowToAnomaly);
      if (page.length < PAGE) {
        yield page;
        return;
      }
      const lastMs = Date.parse(page[page.length - 1].startedAt);
      const whole = (await this.influx.query(selectAt({}, lastMs))).map(rowToAnomaly);
      yield [...page.filter((a) => Date.parse(a.startedAt) !== lastMs), ...whole];
      after = lastMs;
    }
  }

  private async trim(): Promise<void> {
    try {
      const q = selectAnomalies([], ' ORDER BY time ASC LIMIT 1');
      const [oldest] = (await this.influx.query(q)).map(rowToAnomaly);
      if (oldest) await this.index.removeBefore(Date.parse(oldest.startedAt));
    } catch (error) {
      this.logger.warn(`anomaly index not trimmed: ${(error as Error).message}`);
    }
  }
}
