import { LabelledSeries } from '@iag/detection-lab';
import { Reading } from '@iag/contracts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readCsvRows } from './csv-table';
import { parseTimestamp } from './timestamps';
import { TrainerError } from '../trainer-error';

export interface NabFile {
  series: LabelledSeries;
  readings: Reading[];
  timestamps: number[];
  /** 1 for rows inside a labelled window. */
  labels: Uint8Array;
}

/**
 * A NAB-format corpus: `data/<group>/<file>.csv` (timestamp,value) and `labels/combined_windows.json`
 * ({"<group>/<file>.csv": [[start, end], ...]}). `only` keeps files whose path contains it.
 */
export async function loadNabCorpus(root: string, only?: string): Promise<NabFile[]> {
  const windowsFile = join(root, 'labels', 'combined_windows.json');
  const dataDir = join(root, 'data');
  if (!existsSync(windowsFile) || !existsSync(dataDir)) {
    throw new TrainerError(
      `${root} is not a NAB corpus: expected data/<group>/<file>.csv and labels/combined_windows.json`,
    );
  }
  const windows = JSON.parse(readFileSync(windowsFile, 'utf8')) as Record<string, [string, string][]>;
  const files: NabFile[] = [];
  for (const group of readdirSync(dataDir).sort()) {
    const groupDir = join(dataDir, group);
    for (const file of readdirSync(groupDir).filter((f) => f.endsWith('.csv')).sort()) {
      const name = relative(dataDir, join(groupDir, file));
      if (only !== undefined && !name.includes(only)) continue;
      files.push(await loadFile(join(groupDir, file), name, windows[name] ?? []));
    }
  }
  if (files.length === 0) throw new TrainerError(`no NAB series found under ${dataDir}`);
  return files;
}

async function loadFile(
  path: string,
  name: string,
  limits: [string, string][],
): Promise<NabFile> {
  const { rows } = await readCsvRows(path, ',');
  const timestamps = rows.map((row) => parseTimestamp(row.timestamp ?? ''));
  const readings = rows.map((row, i) => ({ ts: timestamps[i], values: { value: Number(row.value) } }));
  const labels = new Uint8Array(rows.length);
  const ranges: [number, number][] = limits.map(([start, end]) => {
    const from = parseTimestamp(start);
    const to = parseTimestamp(end);
    let left = timestamps.findIndex((t) => t >= from);
    let right = timestamps.length - 1 - [...timestamps].reverse().findIndex((t) => t <= to);
    if (left < 0) left = timestamps.length - 1;
    right = Math.min(right, timestamps.length - 1);
    labels.fill(1, left, right + 1);
    return [left, right];
  });
  return { series: { name, length: rows.length, windows: ranges }, readings, timestamps, labels };
}
