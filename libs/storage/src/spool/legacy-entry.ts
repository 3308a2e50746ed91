import { Reading } from '@iag/contracts';
import { telemetryLines } from '../telemetry/line-protocol';

const OPEN_BRACE = 0x7b;

/**
 * Spools written before line protocol held one JSON entry per message,
 * `{"d": deviceId, "r": [[ts, {metric: value}], ...]}`: such an entry (left by an older gateway
 * stopped while InfluxDB was away) is replayed as the same lines, so an upgrade loses nothing.
 */
export function spooledLines(value: Buffer): string {
  if (value[0] !== OPEN_BRACE) return value.toString('latin1');
  const { d, r } = JSON.parse(value.toString('utf8')) as {
    d: string;
    r: Array<[number, Record<string, number>]>;
  };
  return telemetryLines(
    d,
    r.map(([ts, values]): Reading => ({ ts, values })),
  );
}
