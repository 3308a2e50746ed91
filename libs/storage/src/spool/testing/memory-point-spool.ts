import { Reading } from '@iag/contracts';
import { TelemetryPoint } from '../../telemetry/telemetry-point';
import { EncodedEntry, PointSpool, SpoolBatch, SpoolDepth, SpoolEntryRef } from '../point-spool';
import { decodeEntry, encodeEntry } from '../spool-entry';

interface Stored {
  ref: SpoolEntryRef;
  value: Buffer;
  committed: boolean;
}

/** The spool in memory, for unit tests of its users: same encoding and counts, nothing durable. */
export class MemoryPointSpool implements PointSpool {
  private stored: Stored[] = [];
  private nextSeq = 0;
  /** Makes the next append fail, as a full disk would. */
  failNextAppend = false;

  depth(): SpoolDepth {
    let readings = 0;
    let bytes = 0;
    for (const { ref } of this.stored) {
      readings += ref.readings;
      bytes += ref.bytes;
    }
    return { readings, bytes, entries: this.stored.length, oldestAt: this.stored[0]?.ref.at };
  }

  encode(deviceId: string, readings: Reading[]): EncodedEntry {
    return encodeEntry(deviceId, readings);
  }

  async append(entry: EncodedEntry, at: number): Promise<void> {
    if (this.failNextAppend) {
      this.failNextAppend = false;
      throw new Error('disk full');
    }
    const stored: Stored = {
      ref: { seq: this.nextSeq++, at, readings: entry.readings, bytes: entry.bytes },
      value: entry.value,
      committed: false,
    };
    this.stored.push(stored);
    await Promise.resolve();
    stored.committed = true;
  }

  peek(maxReadings: number): SpoolBatch | null {
    const entries: SpoolEntryRef[] = [];
    const points: TelemetryPoint[] = [];
    for (const { ref, value, committed } of this.stored) {
      if (!committed) break;
      if (entries.length > 0 && points.length + ref.readings > maxReadings) break;
      entries.push(ref);
      points.push(...decodeEntry(value));
      if (points.length >= maxReadings) break;
    }
    return entries.length > 0 ? { entries, points } : null;
  }

  async ack(batch: SpoolBatch): Promise<void> {
    const acked = new Set(batch.entries.map((ref) => ref.seq));
    this.stored = this.stored.filter(({ ref }) => !acked.has(ref.seq));
  }

  async close(): Promise<void> {}
}
