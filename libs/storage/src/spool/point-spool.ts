import { Reading } from '@iag/contracts';
import { TelemetryPoint } from '../telemetry/telemetry-point';

/** One spooled message: the readings of one device that arrived together. */
export interface SpoolEntryRef {
  seq: number;
  /** Arrival time (epoch ms). */
  at: number;
  readings: number;
  bytes: number;
}

/** An entry encoded once: its size decides whether it fits before it is appended. */
export interface EncodedEntry {
  readonly value: Buffer;
  readonly readings: number;
  /** What the entry counts against SPOOL_MAX_BYTES. */
  readonly bytes: number;
}

/** Whole entries, oldest first, with their points flattened in order. */
export interface SpoolBatch {
  readonly entries: readonly SpoolEntryRef[];
  readonly points: TelemetryPoint[];
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
  encode(deviceId: string, readings: Reading[]): EncodedEntry;
  /** Resolves once the entry is durable; rejects (and counts nothing) when it could not be stored. */
  append(entry: EncodedEntry, at: number): Promise<void>;
  /** Up to `maxReadings` (at least one whole entry) of the oldest stored entries, not removed; null if none is stored yet. */
  peek(maxReadings: number): SpoolBatch | null;
  /** Forgets a peeked batch (InfluxDB confirmed it); it leaves the counts at once. */
  ack(batch: SpoolBatch): Promise<void>;
  close(): Promise<void>;
}
