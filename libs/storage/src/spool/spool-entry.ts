import { Reading } from '@iag/contracts';
import { TelemetryPoint } from '../telemetry/telemetry-point';
import { EncodedEntry } from './point-spool';

/** Counted per entry on top of its value: roughly its key and lmdb's node header. */
export const ENTRY_OVERHEAD_BYTES = 48;

/**
 * The spool's value format: compact JSON `{"d": deviceId, "r": [[ts, {metric: value}], ...]}`.
 * JSON numbers round-trip exactly, so a replayed reading is the same InfluxDB point (same series,
 * time and fields) and overwrites itself instead of adding a second one.
 */
export function encodeEntry(deviceId: string, readings: Reading[]): EncodedEntry {
  const value = Buffer.from(
    JSON.stringify({ d: deviceId, r: readings.map((r) => [r.ts, r.values]) }),
  );
  return { value, readings: readings.length, bytes: value.length + ENTRY_OVERHEAD_BYTES };
}

export function decodeEntry(value: Buffer): TelemetryPoint[] {
  const { d, r } = JSON.parse(value.toString('utf8')) as {
    d: string;
    r: Array<[number, Record<string, number>]>;
  };
  return r.map(([ts, values]) => ({ deviceId: d, ts, values }));
}
