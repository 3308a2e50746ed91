import { Reading } from '@iag/contracts';

export const TELEMETRY_MEASUREMENT = 'telemetry';
export const DEVICE_TAG = 'device_id';

/**
 * InfluxDB line protocol for the readings of one device, one line each, every line ending in
 * `\n`: `telemetry,device_id=<id> <metric>=<float>,... <ts ms>`.
 *
 * Written by hand rather than through `influx`'s writePoints: it is the hot path (0.4 µs against
 * 1.2 µs per point, issue 7), and the spool keeps these bytes, so a replay needs no re-encoding.
 * Nothing is escaped because nothing needs it: device ids and metric names are validated against
 * patterns without space, comma, equals sign, quote or backslash (identifiers.ts), and a JS
 * number prints as the shortest text that parses back to the same float64, so a replayed line is
 * the same point and overwrites itself.
 */
export function telemetryLines(deviceId: string, readings: readonly Reading[]): string {
  const series = `${TELEMETRY_MEASUREMENT},${DEVICE_TAG}=${deviceId} `;
  let text = '';
  for (const { ts, values } of readings) {
    let fields = '';
    for (const metric in values) fields += `${fields === '' ? '' : ','}${metric}=${values[metric]}`;
    text += `${series}${fields} ${ts}\n`;
  }
  return text;
}
