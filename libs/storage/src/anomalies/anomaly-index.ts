import { Injectable } from '@nestjs/common';
import { Anomaly, anomalyId } from '@iag/contracts';
import { RegistryStore } from '../registry/registry-store';
import { AnomalyFilter } from './anomaly-query';

/** By time: ['t', startedAtMs, deviceId]; by device: ['d', deviceId, startedAtMs]. */
type IndexKey = (string | number)[];
type IndexValue = Anomaly | string | true;

/** Which database the index was filled from. */
const FILLED_FROM: IndexKey = ['meta', 'filled_from'];
const byTime = (ms: number, deviceId: string): IndexKey => ['t', ms, deviceId];
const byDevice = (deviceId: string, ms: number): IndexKey => ['d', deviceId, ms];

/** What InfluxQL's WHERE in anomaly-query.ts selects, for one anomaly. */
export function matchesFilter(anomaly: Anomaly, filter: AnomalyFilter, ms: number): boolean {
  return (
    (filter.deviceId === undefined || anomaly.deviceId === filter.deviceId) &&
    (filter.status === undefined || anomaly.status === filter.status) &&
    (filter.severity === undefined || anomaly.severity === filter.severity) &&
    (filter.minScore === undefined || anomaly.peakScore >= filter.minScore) &&
    (filter.from === undefined || ms >= filter.from) &&
    (filter.to === undefined || ms <= filter.to)
  );
}

/**
 * The anomalies the API reads, kept in lmdb beside the registry: InfluxDB 1.x opens a cursor per
 * series and field for `ORDER BY time DESC LIMIT n`, so listing the newest anomalies cost time in
 * proportion to the devices that ever had one (11 ms at 1,000, 110 ms at 10,000, on an idle
 * machine). InfluxDB stays the record (AnomalySync fills this from it and heals it at each
 * start); this is a copy ordered for reading, by time and by device.
 */
@Injectable()
export class AnomalyIndex {
  /** Anomalies written live while a rebuild runs: what the rebuild read of them may be older. */
  private writtenDuringRebuild: Set<string> | undefined;
  private trusted = false;

  constructor(private readonly store: RegistryStore) {}

  /**
   * True once this process has read InfluxDB into it (AnomalySync): only then may it answer
   * instead of InfluxDB. Until then, what an earlier run left may be stale.
   */
  get ready(): boolean {
    return this.trusted;
  }

  /** True when an earlier run filled it from `database` (only healing is left to do). */
  filledFrom(database: string): boolean {
    return this.db().get(FILLED_FROM) === database;
  }

  async markReady(database: string): Promise<void> {
    await this.db().put(FILLED_FROM, database);
    this.trusted = true;
  }

  /** A write to it failed: reads go to InfluxDB until the next start has healed it. */
  distrust(): void {
    this.trusted = false;
  }

  get(deviceId: string, startedAtMs: number): Anomaly | undefined {
    const value = this.db().get(byTime(startedAtMs, deviceId));
    return typeof value === 'object' ? value : undefined;
  }

  /** A write the repository just made to InfluxDB as well. */
  async put(anomaly: Anomaly): Promise<void> {
    this.writtenDuringRebuild?.add(anomaly.id);
    await this.write(anomaly);
  }

  beginRebuild(): void {
    this.writtenDuringRebuild = new Set();
  }

  /** What a rebuild read from InfluxDB; skipped when a live write came after the read. */
  async fill(anomalies: Anomaly[]): Promise<void> {
    const fresh = anomalies.filter((a) => !this.writtenDuringRebuild?.has(a.id));
    const db = this.db();
    await db.transaction(() => fresh.forEach((anomaly) => this.putKeys(anomaly)));
  }

  endRebuild(): void {
    this.writtenDuringRebuild = undefined;
  }

  private async write(anomaly: Anomaly): Promise<void> {
    await this.db().transaction(() => this.putKeys(anomaly));
  }

  /** Inside a write transaction. */
  private putKeys(anomaly: Anomaly): void {
    const ms = Date.parse(anomaly.startedAt);
    const db = this.db();
    void db.put(byTime(ms, anomaly.deviceId), anomaly);
    void db.put(byDevice(anomaly.deviceId, ms), true);
  }

  /**
   * The newest `n` anomalies matching `filter`, and every other one at the oldest ms returned
   * (the repository pages by ms and device id, so that ms must be whole).
   */
  newest(filter: AnomalyFilter, n: number): Anomaly[] {
    const found: Anomaly[] = [];
    let lastMs = NaN;
    for (const { ms, anomaly } of this.descending(filter)) {
      if (found.length >= n && ms !== lastMs) break;
      if (!matchesFilter(anomaly, filter, ms)) continue;
      found.push(anomaly);
      lastMs = ms;
    }
    return found;
  }

  /** Every anomaly matching `filter` that started at exactly `ms`. */
  at(filter: AnomalyFilter, ms: number): Anomaly[] {
    return this.newest({ ...filter, from: ms, to: ms }, Infinity);
  }

  /** The newest anomaly of every device (a device's keys, read backwards, start with its newest). */
  newestPerDevice(): Anomaly[] {
    const newest: Anomaly[] = [];
    let device: string | undefined;
    for (const key of this.db().getKeys({ start: ['e'], end: ['d'], reverse: true })) {
      if (key[1] === device) continue;
      device = key[1] as string;
      const anomaly = this.get(device, key[2] as number);
      if (anomaly) newest.push(anomaly);
    }
    return newest;
  }

  /**
   * Removes what started before `ms` (InfluxDB's retention policy dropped it; Infinity: InfluxDB
   * holds none), but not what was written live during a running rebuild.
   */
  async removeBefore(ms: number): Promise<number> {
    const db = this.db();
    const end = Number.isFinite(ms) ? byTime(ms, '') : ['u'];
    const old = [...db.getKeys({ start: ['t'], end })].filter(
      (key) => !this.writtenDuringRebuild?.has(anomalyId(key[2] as string, key[1] as number)),
    );
    await db.transaction(() => {
      for (const key of old) {
        void db.remove(key);
        void db.remove(byDevice(key[2] as string, key[1] as number));
      }
    });
    return old.length;
  }

  /** Newest first; by device when the filter names one (a scan of that device only). */
  private *descending(filter: AnomalyFilter): Generator<{ ms: number; anomaly: Anomaly }> {
    const from = filter.from ?? 0;
    const to = filter.to ?? Number.MAX_SAFE_INTEGER;
    const db = this.db();
    if (filter.deviceId !== undefined) {
      const id = filter.deviceId;
      const keys = db.getKeys({
        start: byDevice(id, to + 1),
        end: byDevice(id, from - 1),
        reverse: true,
      });
      for (const key of keys) {
        const anomaly = this.get(id, key[2] as number);
        if (anomaly) yield { ms: key[2] as number, anomaly };
      }
      return;
    }
    for (const { key, value } of db.getRange({
      start: ['t', to + 1],
      end: ['t', from],
      reverse: true,
    })) {
      if (typeof value === 'object') yield { ms: key[1] as number, anomaly: value };
    }
  }

  private db() {
    return this.store.db<IndexValue, IndexKey>('anomaly_index');
  }
}
