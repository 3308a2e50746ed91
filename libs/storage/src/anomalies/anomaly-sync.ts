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
 * Keeps the AnomalyIndex a copy of InfluxDB's `anomalies`. Each start reads InfluxDB into it
 * again, so a write that reached InfluxDB but not the index (a crash between the two) is healed;
 * reads use InfluxDB until that is done. A first fill (or one for another database) is awaited,
 * a heal runs in the background; both are retried while InfluxDB does not answer. An hourly
 * trim follows InfluxDB's retention policy.
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
    if (this.index.filledFrom(this.influx.database)) {
      void this.rebuild(0);
      return;
    }
    await this.index.removeBefore(Infinity); // what another database left, if anything
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
      this.logger.log(`anomaly index read from InfluxDB (${count} anomalies)`);
      await this.index.markReady(this.influx.database);
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
      await this.index.removeBefore(oldestMs ?? Infinity);
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
