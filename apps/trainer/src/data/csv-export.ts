import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TrainerError } from '../trainer-error';
import { influxPages, InfluxSource } from './influx-series';

/**
 * Writes telemetry history as CSV (device_id, ts as ISO 8601, one column per metric), streaming
 * InfluxDB's pages to the file as they come: one page of one device is in memory at a time, and
 * the file stream's back-pressure paces the reads (stream.pipeline). The file is written beside
 * `path` and renamed into place at the end, so a failed export leaves no half file.
 */
export async function exportTelemetryCsv(
  source: InfluxSource,
  path: string,
): Promise<{ rows: number; devices: number }> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  const devices = new Set<string>();
  let rows = 0;
  async function* lines(): AsyncGenerator<string> {
    yield `${['device_id', 'ts', ...source.metrics].join(',')}\n`;
    for await (const { deviceId, readings } of influxPages(source)) {
      devices.add(deviceId);
      // One chunk per page: a write per row would cost more than the query.
      let chunk = '';
      for (const { ts, values } of readings) {
        const cells = source.metrics.map((m) => values[m] ?? '');
        chunk += `${deviceId},${new Date(ts).toISOString()},${cells.join(',')}\n`;
      }
      rows += readings.length;
      yield chunk;
    }
  }
  try {
    await pipeline(Readable.from(lines()), createWriteStream(partial));
    if (rows === 0) {
      throw new TrainerError(`no telemetry for ${source.metrics.join(', ')} in that time range`);
    }
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { rows, devices: devices.size };
}
