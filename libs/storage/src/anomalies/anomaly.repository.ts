import { Injectable, Logger } from '@nestjs/common';
import { Anomaly, Page, parseAnomalyId, toPage } from '@iag/contracts';
import { InfluxConnection } from '../influx/influx-connection';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { comparePositions, decodeCursor, encodeCursor, isAfter } from './anomaly-cursor';
import { AnomalyIndex } from './anomaly-index';
import {
  ANOMALY_DEVICE_TAG,
  ANOMALY_MEASUREMENT,
  episodeFields,
  FieldSet,
  mergeEpisode,
  rowToAnomaly,
  statusFields,
} from './anomaly-point';
import { AnomalyFilter, selectAt, selectNewest, selectNewestPerDevice } from './anomaly-query';

export interface AnomalyFindQuery extends AnomalyFilter {
  limit: number;
  cursor?: string;
}

export type AnomalyPage = Page<Anomaly>;

const byPageOrder = (a: Anomaly, b: Anomaly) => comparePositions(position(a), position(b));

function position(anomaly: Anomaly) {
  return { startedAtMs: Date.parse(anomaly.startedAt), deviceId: anomaly.deviceId };
}

/**
 * The `anomalies` measurement: one point per episode (tag device_id, time = startedAt).
 * Episode updates and status changes write disjoint field sets to the same point, and
 * InfluxDB 1.x merges them, so neither overwrites the other. Each write then goes to the
 * AnomalyIndex too, which answers reads once it is ready (InfluxDB until then).
 */
@Injectable()
export class AnomalyRepository {
  private readonly logger = new Logger(AnomalyRepository.name);
  /** Serialises writes per anomaly (the index's read-merge-write must not interleave). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly influx: InfluxConnection,
    private readonly index: AnomalyIndex,
  ) {}

  recordEpisode(anomaly: Anomaly, isNew: boolean): Promise<void> {
    return this.serialized(anomaly.id, async () => {
      const startedAtMs = Date.parse(anomaly.startedAt);
      await this.writeFields(anomaly.deviceId, startedAtMs, episodeFields(anomaly, isNew));
      const stored = (await this.get(anomaly.id)) ?? undefined;
      await this.putInIndex(mergeEpisode(stored, anomaly, isNew));
    });
  }

  /** Acknowledging or resolving twice keeps the first record; a resolved anomaly cannot be acknowledged. */
  setStatus(
    id: string,
    status: 'acknowledged' | 'resolved',
    by: string,
    at: Date,
  ): Promise<Anomaly> {
    return this.serialized(id, async () => {
      const current = await this.get(id);
      if (!current) {
        throw new StorageException(StorageExceptionCode.NOT_FOUND, `anomaly ${id} not found`);
      }
      if (status === 'acknowledged' && current.status === 'resolved') {
        throw new StorageException(
          StorageExceptionCode.INVALID_TRANSITION,
          `anomaly ${id} is resolved and cannot be acknowledged`,
        );
      }
      if (current.status === status) return current;
      const { startedAtMs } = position(current);
      await this.writeFields(current.deviceId, startedAtMs, statusFields(status, by, at));
      const updated: Anomaly =
        status === 'acknowledged'
          ? { ...current, status, acknowledgedBy: by, acknowledgedAt: at.toISOString() }
          : { ...current, status, resolvedBy: by, resolvedAt: at.toISOString() };
      await this.putInIndex(updated);
      return updated;
    });
  }

  /**
   * Episodes that have not ended (whatever their status): what detection resumes after a
   * restart, so an ongoing anomaly is updated and closed instead of opened a second time.
   */
  async openEpisodes(): Promise<Anomaly[]> {
    const newest = this.index.ready
      ? this.index.newestPerDevice()
      : (await this.influx.query(selectNewestPerDevice())).map(rowToAnomaly);
    return newest.filter((anomaly) => anomaly.endedAt === null);
  }

  /**
   * From the index once it is ready (it misses only what InfluxDB does not have either, so a
   * new episode's merge or an unknown id costs no query); from InfluxDB until then.
   */
  async get(id: string): Promise<Anomaly | null> {
    const parsed = parseAnomalyId(id);
    if (!parsed) return null;
    if (this.index.ready) return this.index.get(parsed.deviceId, parsed.startedAtMs) ?? null;
    const rows = await this.influx.query(
      selectAt({ deviceId: parsed.deviceId }, parsed.startedAtMs),
    );
    return rows.length > 0 ? rowToAnomaly(rows[0]) : null;
  }

  /**
   * Newest first by startedAt, then deviceId. The cursor holds the last item's position; the
   * next page is the items at that same ms with a larger deviceId, then older ones. LIMIT can
   * cut through several devices' anomalies at one ms, so that last ms is always read whole.
   */
  async find(q: AnomalyFindQuery): Promise<AnomalyPage> {
    const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (cursor === null) {
      throw new StorageException(
        StorageExceptionCode.INVALID_CURSOR,
        'cursor is not one this API returned',
      );
    }
    const filter: AnomalyFilter = { ...q };
    let candidates: Anomaly[] = [];
    if (cursor) {
      const ties = await this.atMs(filter, cursor.startedAtMs);
      candidates = ties.filter((a) => isAfter(position(a), cursor));
      filter.to = Math.min(q.to ?? Infinity, cursor.startedAtMs - 1);
    }
    const emptyRange =
      filter.from !== undefined && filter.to !== undefined && filter.to < filter.from;
    if (candidates.length <= q.limit && !emptyRange) {
      candidates.push(...(await this.newest(filter, q.limit - candidates.length + 1)));
    }
    candidates.sort(byPageOrder);
    return toPage(candidates, q.limit, (last) => encodeCursor(position(last)));
  }

  /**
   * The newest `n` (the page and one more), completed with every anomaly at the oldest ms returned
   * when LIMIT may have cut there. A lone row at that ms is the one more: it sorts last and never
   * makes the page, so the usual page costs one query.
   */
  private async newest(filter: AnomalyFilter, n: number): Promise<Anomaly[]> {
    if (this.index.ready) return this.index.newest(filter, n);
    const rows = (await this.influx.query(selectNewest(filter, n))).map(rowToAnomaly);
    if (rows.length < n) return rows;
    const oldestMs = Math.min(...rows.map((a) => position(a).startedAtMs));
    const atOldest = rows.filter((a) => position(a).startedAtMs === oldestMs).length;
    if (atOldest === 1) return rows;
    return [
      ...rows.filter((a) => position(a).startedAtMs !== oldestMs),
      ...(await this.atMs(filter, oldestMs)),
    ];
  }

  private async atMs(filter: AnomalyFilter, ms: number): Promise<Anomaly[]> {
    if (this.index.ready) return this.index.at(filter, ms);
    return (await this.influx.query(selectAt(filter, ms))).map(rowToAnomaly);
  }

  private async writeFields(
    deviceId: string,
    startedAtMs: number,
    fields: FieldSet,
  ): Promise<void> {
    await this.influx.write([
      {
        measurement: ANOMALY_MEASUREMENT,
        tags: { [ANOMALY_DEVICE_TAG]: deviceId },
        fields,
        timestamp: startedAtMs,
      },
    ]);
  }

  /** InfluxDB already has it: a failure here leaves the index stale, so it stops answering. */
  private async putInIndex(anomaly: Anomaly): Promise<void> {
    try {
      await this.index.put(anomaly);
    } catch (error) {
      this.index.distrust();
      this.logger.warn(
        `anomaly index not written, reads go to InfluxDB until the next start: ${(error as Error).message}`,
      );
    }
  }

  private async serialized<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === next) this.locks.delete(key);
    }
  }
}
