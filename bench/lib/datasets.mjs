// Labelled benchmark datasets converted to the trainer's CSV layout (ts, one column per metric,
// anomaly 0/1; one device per file). The datasets are not part of the product: their paths are
// arguments (the bench detection scenario), never defaults.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function writeCsv(path, header, rows) {
  writeFileSync(path, `${header.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`);
}

/**
 * BATADAL (rtaormina/aeed): `DATETIME` dd/mm/yy HH, 43 channels, ATT_FLAG (1 = attack; 0, -999 or
 * 0.00 otherwise). dataset03 -> normal-year.csv, dataset04 -> tuning.csv, test_dataset -> test.csv.
 */
export function convertBatadal(dir, out) {
  mkdirSync(out, { recursive: true });
  const names = { dataset03: 'normal-year', dataset04: 'tuning', test_dataset: 'test' };
  for (const [file, name] of Object.entries(names)) {
    const lines = readFileSync(join(dir, `${file}.csv`), 'utf8')
      .trim()
      .split(/\r?\n/);
    const header = lines[0].split(',').map((s) => s.trim());
    const rows = lines.slice(1).map((line) => {
      const cells = line.split(',').map((s) => s.trim());
      const [day, month, yearHour] = cells[0].split('/');
      const [year, hour] = yearHour.split(' ');
      const ts = Date.UTC(2000 + Number(year), Number(month) - 1, Number(day), Number(hour));
      return [ts, ...cells.slice(1, -1).map(Number), Number(cells.at(-1)) > 0 ? 1 : 0];
    });
    writeCsv(join(out, `${name}.csv`), ['ts', ...header.slice(1, -1), 'anomaly'], rows);
  }
  return out;
}

const TEP_NAMES = [
  ...Array.from({ length: 41 }, (_, i) => `xmeas_${i + 1}`),
  ...Array.from({ length: 11 }, (_, i) => `xmv_${i + 1}`),
];
const TEP_STEP_MS = 180_000; // one row every 3 minutes
const TEP_T0 = Date.UTC(2026, 0, 1);

function readTep(path) {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
}

function writeTep(path, rows, faultFrom) {
  writeCsv(
    path,
    ['ts', ...TEP_NAMES, 'anomaly'],
    rows.map((r, i) => [TEP_T0 + i * TEP_STEP_MS, ...r, i >= faultFrom ? 1 : 0]),
  );
}

/**
 * Tennessee Eastman (Braatz): d00.dat is stored transposed (52 x 500). Writes normal.csv (d00),
 * test/d00.csv (d00_te) and test/dNN.csv (fault from row 161). For tuning, from the training runs
 * only: tune-zero/dNN.csv is d00 then the dNN.dat run (fault throughout, from row 501), for
 * zero-config; tune-trained/dNN.csv is the last 150 rows of d00 then dNN.dat, for a model trained
 * on fit.csv, the first 350 rows of d00 (the 150 stay unseen).
 */
export function convertTep(dir, out) {
  for (const sub of ['test', 'tune-zero', 'tune-trained'])
    mkdirSync(join(out, sub), { recursive: true });
  const stored = readTep(join(dir, 'd00.dat'));
  const d00 = stored[0].map((_, j) => stored.map((row) => row[j]));
  writeTep(join(out, 'normal.csv'), d00, Infinity);
  writeTep(join(out, 'fit.csv'), d00.slice(0, 350), Infinity);
  writeTep(join(out, 'test', 'd00.csv'), readTep(join(dir, 'd00_te.dat')), Infinity);
  for (let k = 1; k <= 21; k++) {
    const nn = String(k).padStart(2, '0');
    writeTep(join(out, 'test', `d${nn}.csv`), readTep(join(dir, `d${nn}_te.dat`)), 160);
    const run = readTep(join(dir, `d${nn}.dat`));
    writeTep(join(out, 'tune-zero', `d${nn}.csv`), [...d00, ...run], d00.length);
    writeTep(join(out, 'tune-trained', `d${nn}.csv`), [...d00.slice(350), ...run], 150);
  }
  return out;
}

/** Whether a directory holds what a converter needs. */
export function looksLike(kind, dir) {
  if (!dir || !existsSync(dir)) return false;
  if (kind === 'batadal') return existsSync(join(dir, 'test_dataset.csv'));
  if (kind === 'tep')
    return existsSync(join(dir, 'd00.dat')) && existsSync(join(dir, 'd21_te.dat'));
  if (kind === 'nab')
    return existsSync(join(dir, 'labels')) && readdirSync(join(dir, 'data')).length > 0;
  return false;
}
