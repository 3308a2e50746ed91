/**
 * One spooled entry: the line protocol of every message that arrived in one event-loop turn
 * (TelemetryWriter groups them), so a turn costs one put and one remove, not one per message.
 */
export interface SpoolEntryRef {
  seq: number;
  /** Arrival time of its first message (epoch ms). */
  at: number;
  readings: number;
  bytes: number;
}

/** Counted per entry on top of its text: roughly its key and lmdb's node header. */
export const ENTRY_OVERHEAD_BYTES = 48;

/** Whole entries, oldest first, with their line protocol in order: the body of one write. */
export interface SpoolBatch {
  readonly entries: readonly SpoolEntryRef[];
  readonly lines: string;
  readonly readings: number;
}

export interface SpoolDepth {
  readings: number;
  bytes: number;
  entries: number;
  /** Arrival time of the oldest unconfirmed entry; undefined when empty. */
  oldestAt: number | undefined;
}

/**
 * Where telemetry waits until InfluxDB confirms it, oldest first. The writer is its only user:
 * one batch in flight at a time, peeked, written, then acknowledged.
 */
export interface PointSpool {
  /** Counts include appends still committing, so a bound holds before they land. */
  depth(): SpoolDepth;
  /**
   * Stores `lines` (line protocol, ASCII, every line ending in a newline) as one entry; resolves
   * once it is durable, rejects (and counts nothing) when it could not be stored.
   */
  append(lines: string, readings: number, at: number): Promise<void>;
  /** Up to `maxReadings` (at least one whole entry) of the oldest stored entries, not removed; null if none is stored yet. */
  peek(maxReadings: number): SpoolBatch | null;
  /** Forgets a peeked batch (InfluxDB confirmed it); it leaves the counts at once. */
  ack(batch: SpoolBatch): Promise<void>;
  close(): Promise<void>;
}

/** What an entry of `lines` counts against SPOOL_MAX_BYTES (line protocol here is ASCII). */
export const entryBytes = (lines: string): number => lines.length + ENTRY_OVERHEAD_BYTES;

/**
 * The batch rule every spool's peek() follows: whole entries, oldest first, until `maxReadings`
 * (at least one entry, however large). `linesOf` is only called for the entries taken.
 */
export function takeWholeEntries<T>(
  stored: Iterable<T>,
  maxReadings: number,
  refOf: (item: T) => SpoolEntryRef,
  linesOf: (item: T) => string,
): SpoolBatch | null {
  const entries: SpoolEntryRef[] = [];
  let lines = '';
  let readings = 0;
  for (const item of stored) {
    const ref = refOf(item);
    if (entries.length > 0 && readings + ref.readings > maxReadings) break;
    entries.push(ref);
    lines += linesOf(item);
    readings += ref.readings;
    if (readings >= maxReadings) break;
  }
  return entries.length > 0 ? { entries, lines, readings } : null;
}
