import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeScoresCsv } from './scores-csv';

const dir = mkdtempSync(join(tmpdir(), 'iag-scores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 0, 1);

describe(writeScoresCsv.name, () => {
  it('writes one row per reading, readable back as a table', async () => {
    const path = await writeScoresCsv(join(dir, 'a', 'scores.csv'), [
      { deviceId: 'p-1', ts: [T0, T0 + 1000], scores: [0, 1.5], labels: [0, 1], alarms: [0, 1] },
      { deviceId: 'p,2', ts: [T0], scores: [0.25], labels: null, alarms: [0] },
    ]);
    const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        device_id: 'p-1',
        ts: '2026-01-01T00:00:00.000Z',
        score: '0',
        threshold: '1',
        label: '0',
        in_episode: '0',
      },
      {
        device_id: 'p-1',
        ts: '2026-01-01T00:00:01.000Z',
        score: '1.5',
        threshold: '1',
        label: '1',
        in_episode: '1',
      },
      {
        device_id: 'p,2',
        ts: '2026-01-01T00:00:00.000Z',
        score: '0.25',
        threshold: '1',
        label: '',
        in_episode: '0',
      },
    ]);
  });

  it('adds the detector column when the rows name one', async () => {
    const path = await writeScoresCsv(join(dir, 'detectors.csv'), [
      {
        deviceId: 'a',
        ts: [T0, T0 + 1],
        scores: [0, 2],
        labels: [0, 1],
        alarms: [0, 1],
        detectors: [null, 'pumps/3'],
      },
    ]);
    expect(readFileSync(path, 'utf8').split('\n').slice(0, 3)).toEqual([
      'device_id,ts,score,threshold,label,in_episode,detector',
      'a,2026-01-01T00:00:00.000Z,0,1,0,0,',
      'a,2026-01-01T00:00:00.001Z,2,1,1,1,pumps/3',
    ]);
  });
});
