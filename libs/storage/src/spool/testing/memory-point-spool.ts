import {
  entryBytes,
  PointSpool,
  SpoolBatch,
  SpoolDepth,
  SpoolEntryRef,
  takeWholeEntries,
} from '../point-spool';

interface Stored {
  ref: SpoolEntryRef;
  lines: string;
  committed: boolean;
}

/** The spool in memory, for unit tests of its users: same counts, nothing durable. */
export class MemoryPointSpool implements PointSpool {
  private stored: Stored[] = [];
  private nextSeq = 0;
  /** Makes the next append fail, as a full disk would. */
  failNextAppend = false;
  /** Appends so far: the writer groups the messages of one event-loop turn into one. */
  appends = 0;
  /** While set, appends stay committing until it resolves, as on a slow disk. */
  commitsHeldUntil: Promise<void> | undefined;

  depth(): SpoolDepth {
    let readings = 0;
    let bytes = 0;
    for (const { ref } of this.stored) {
      readings += ref.readings;
      bytes += ref.bytes;
    }
    return { readings, bytes, entries: this.stored.length, oldestAt: this.stored[0]?.ref.at };
  }

  async append(lines: string, readings: number, at: number): Promise<void> {
    this.appends++;
    if (this.failNextAppend) {
      this.failNextAppend = false;
      throw new Error('disk full');
    }
    const stored: Stored = {
      ref: { seq: this.nextSeq++, at, readings, bytes: entryBytes(lines) },
      lines,
      committed: false,
    };
    this.stored.push(stored);
    await (this.commitsHeldUntil ?? Promise.resolve());
    stored.committed = true;
  }

  peek(maxReadings: number): SpoolBatch | null {
    const committed = this.stored.slice(0, this.committedCount());
    return takeWholeEntries(
      committed,
      maxReadings,
      ({ ref }) => ref,
      ({ lines }) => lines,
    );
  }

  /** Entries before the first one still committing (peek never reads past it). */
  private committedCount(): number {
    const first = this.stored.findIndex(({ committed }) => !committed);
    return first < 0 ? this.stored.length : first;
  }

  async ack(batch: SpoolBatch): Promise<void> {
    const acked = new Set(batch.entries.map((ref) => ref.seq));
    this.stored = this.stored.filter(({ ref }) => !acked.has(ref.seq));
  }

  async close(): Promise<void> {}
}
