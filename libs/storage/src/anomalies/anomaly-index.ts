import { Injectable } from '@nestjs/common';
import { Anomaly } from '@iag/contracts';
import { RegistryStore } from '../registry/registry-store';
import { AnomalyFilter } from './anomaly-query';

/** By time: ['t', startedAtMs, deviceId]; by device: ['d', deviceId, startedAtMs]. */
type IndexKey = (string | number)[];
type IndexValue = Anomaly | true;

const READY: IndexKey = ['meta', 'ready'];
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

  constructor(private readonly store: RegistryStore) {}

  /** True once it has been filled from InfluxDB: only then may it answer instead of InfluxDB. */
  get ready(): boolean {
    return this.db().get(READY) === true;
  }

  async markReady(): Promise<void> {
    await this.db().put(READY, true);
  }

  get(deviceId: string, startedAtMs: number): Anomaly | undefined {
    const value = this.db().get(byTime(startedAtMs, deviceId));
    return value === true ? undefined : value;
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

  /** Removes what started before `ms` (InfluxDB's retention policy dropped it). */
  async removeBefore(ms: number): Promise<number> {
    const db = this.db();
    const old = [...db.getKeys({ start: ['t'], end: byTime(ms, '') })];
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
      if (value !== true) yield { ms: key[1] as number, anomaly: value };
    }
  }

  private db() {
    return this.store.db<IndexValue, IndexKey>('anomaly_index');
  }
}
