import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** One device's scored readings, row by row (the arrays are aligned). */
export interface ScoredDevice {
  deviceId: string;
  ts: readonly number[];
  /** 1.0 = the detector's threshold. */
  scores: ArrayLike<number>;
  /** 1 = labelled anomalous; null when the data had no labels. */
  labels: ArrayLike<number> | null;
  /** 1 = inside an episode the gateway would have alerted on. */
  alarms: ArrayLike<number>;
  /** What scored each reading (model name/version, zscore, multivariate), when several can. */
  detectors?: readonly (string | null)[];
}

/**
 * Writes one row per scored reading for a notebook (pandas.read_csv): device_id, ts (ISO 8601),
 * score, threshold, label (empty when unlabelled), in_episode and, when given, detector. Streamed
 * one device at a time.
 */
export async function writeScoresCsv(
  file: string,
  devices: readonly ScoredDevice[],
): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  const withDetector = devices.some((d) => d.detectors !== undefined);
  const header = ['device_id', 'ts', 'score', 'threshold', 'label', 'in_episode'];
  if (withDetector) header.push('detector');
  async function* lines(): AsyncGenerator<string> {
    yield `${header.join(',')}\n`;
    for (const device of devices) yield deviceRows(device, withDetector);
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
  return path;
}

function deviceRows(d: ScoredDevice, withDetector: boolean): string {
  let chunk = '';
  for (let i = 0; i < d.ts.length; i++) {
    const cells = [
      csvCell(d.deviceId),
      new Date(d.ts[i]).toISOString(),
      String(d.scores[i]),
      '1',
      d.labels === null ? '' : String(d.labels[i]),
      String(d.alarms[i]),
    ];
    if (withDetector) cells.push(csvCell(d.detectors?.[i] ?? ''));
    chunk += `${cells.join(',')}\n`;
  }
  return chunk;
}

/** Quotes a cell holding a comma, quote or line break (RFC 4180). */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
