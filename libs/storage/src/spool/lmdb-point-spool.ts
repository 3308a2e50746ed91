import { Injectable, Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { open, RootDatabase } from 'lmdb';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { spooledLines } from './legacy-entry';
import {
  entryBytes,
  PointSpool,
  SpoolBatch,
  SpoolDepth,
  SpoolEntryRef,
  takeWholeEntries,
} from './point-spool';

/** The key holds what the counts need, so a restart rebuilds them from keys alone. */
type SpoolKey = [seq: number, at: number, readings: number, bytes: number];

const keyOf = (ref: SpoolEntryRef): SpoolKey => [ref.seq, ref.at, ref.readings, ref.bytes];
const refOf = ([seq, at, readings, bytes]: SpoolKey): SpoolEntryRef => ({
  seq,
  at,
  readings,
  bytes,
});

/**
 * The durable spool: an lmdb environment of its own under DATA_DIR/spool, one entry per append
 * (the writer appends once per event-loop turn) keyed by an increasing sequence number. lmdb
 * commits every put of one turn in one transaction with one fdatasync (group commit), and with
 * overlappingSync off a put resolves only after that sync: so "resolved" means "on disk".
 * Only counts live in memory (no per-entry index), so a full 1 GiB spool costs no heap.
 */
@Injectable()
export class LmdbPointSpool implements PointSpool {
  private readonly logger = new Logger(LmdbPointSpool.name);
  private db: RootDatabase<Buffer, SpoolKey> | undefined;
  private nextSeq = 0;
  /** First sequence number not yet acknowledged. */
  private cursor = 0;
  private readings = 0;
  private bytes = 0;
  private entries = 0;
  /** Arrival time of the oldest stored entry, read lazily from the first key; null = not known. */
  private oldestStoredAt: number | null = null;
  /** Appends still committing (seq -> arrival), in seq order. */
  private readonly committing = new Map<number, number>();

  /** Opens (or reopens after a crash) the spool and counts what it holds. */
  open(path: string): void {
    if (this.db) return;
    mkdirSync(path, { recursive: true });
    const db = open<Buffer, SpoolKey>({ path, encoding: 'binary', overlappingSync: false });
    let first: number | undefined;
    for (const key of db.getKeys()) {
      const ref = refOf(key);
      first ??= ref.seq;
      this.count(ref, 1);
      this.nextSeq = ref.seq + 1;
    }
    this.cursor = first ?? 0;
    this.db = db;
    if (this.entries > 0) {
      this.logger.log(`spool holds ${this.readings} readings (${this.bytes} bytes) to replay`);
    }
  }

  depth(): SpoolDepth {
    return {
      readings: this.readings,
      bytes: this.bytes,
      entries: this.entries,
      oldestAt: this.oldestAt(),
    };
  }

  async append(lines: string, readings: number, at: number): Promise<void> {
    const db = this.opened();
    const ref: SpoolEntryRef = { seq: this.nextSeq++, at, readings, bytes: entryBytes(lines) };
    this.count(ref, 1);
    this.committing.set(ref.seq, at);
    try {
      await db.put(keyOf(ref), Buffer.from(lines, 'latin1'));
    } catch (error) {
      this.count(ref, -1);
      throw new StorageException(
        StorageExceptionCode.SPOOL_UNAVAILABLE,
        `spool write failed: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      this.committing.delete(ref.seq);
    }
  }

  peek(maxReadings: number): SpoolBatch | null {
    return takeWholeEntries(
      this.opened().getRange({ start: [this.cursor] }),
      maxReadings,
      ({ key }) => refOf(key),
      ({ value }) => spooledLines(value),
    );
  }

  async ack(batch: SpoolBatch): Promise<void> {
    const db = this.opened();
    let removed: Promise<boolean> = Promise.resolve(true);
    for (const ref of batch.entries) {
      this.count(ref, -1);
      removed = db.remove(keyOf(ref));
    }
    this.cursor = batch.entries[batch.entries.length - 1].seq + 1;
    this.oldestStoredAt = null;
    // A removal lost in a crash only means a replay, which InfluxDB absorbs (same point).
    await removed;
  }

  /** lmdb transactions committed so far (each one fdatasync): evidence of group commit. */
  transactions(): number {
    return (this.opened().getStats() as { lastTxnId: number }).lastTxnId;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }

  private oldestAt(): number | undefined {
    if (this.entries === 0) return undefined;
    if (this.oldestStoredAt === null && this.db) {
      for (const key of this.db.getKeys({ start: [this.cursor], limit: 1 })) {
        this.oldestStoredAt = key[1];
      }
    }
    return this.oldestStoredAt ?? this.committing.values().next().value;
  }

  private count(ref: SpoolEntryRef, sign: 1 | -1): void {
    this.readings += sign * ref.readings;
    this.bytes += sign * ref.bytes;
    this.entries += sign;
  }

  private opened(): RootDatabase<Buffer, SpoolKey> {
    if (!this.db) {
      throw new StorageException(StorageExceptionCode.SPOOL_UNAVAILABLE, 'the spool is not open');
    }
    return this.db;
  }
}
