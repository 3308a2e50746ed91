import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrainerError } from '../trainer-error';
import { readCsvSeries } from './csv-series';

const dir = mkdtempSync(join(tmpdir(), 'iag-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(text: string): string {
  const path = join(mkdtempSync(join(dir, 'case-')), 'data.csv');
  writeFileSync(path, text);
  return path;
}

describe('readCsvSeries', () => {
  it('splits per device, sorts by time, and labels rows', () => {
    const path = csv(
      'timestamp;device_id;temp;hum;anomaly\n' +
        '2026-01-01 00:00:02;a;21;40;1\n2026-01-01 00:00:01;a;20;;0\n1767225601000;b;19;41;0\n',
    );
    const data = readCsvSeries(path, { delimiter: ';', labelColumn: 'anomaly' });
    expect(data.features).toEqual(['temp', 'hum']);
    const a = data.series.find((s) => s.deviceId === 'a')!;
    expect(a.readings).toEqual([
      { ts: Date.UTC(2026, 0, 1, 0, 0, 1), values: { temp: 20 } }, // an empty cell is a missing metric
      { ts: Date.UTC(2026, 0, 1, 0, 0, 2), values: { temp: 21, hum: 40 } },
    ]);
    expect(Array.from(a.labels!)).toEqual([0, 1]);
    expect(data.series.find((s) => s.deviceId === 'b')!.readings[0].ts).toBe(1767225601000);
  });

  it('names the row and column of a bad cell, and a missing column', () => {
    const path = csv('ts,temp\n2026-01-01T00:00:00Z,21\n2026-01-01T00:01:00Z,hot\n');
    expect(() => readCsvSeries(path, { delimiter: ',', features: ['temp'] })).toThrow(
      /data\.csv:3: "hot" in column temp is not a number/,
    );
    expect(() => readCsvSeries(path, { delimiter: ',', features: ['co2'] })).toThrow(TrainerError);
    expect(() => readCsvSeries(path, { delimiter: ',', labelColumn: 'anomaly' })).toThrow(/no label column "anomaly"/);
    expect(() => readCsvSeries(path.replace('data.csv', 'none.csv'), { delimiter: ',' })).toThrow(/cannot read .*none\.csv: ENOENT/);
  });
});
