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
  it('splits per device, sorts by time, and labels rows', async () => {
    const path = csv(
      'timestamp;device_id;temp;hum;anomaly\n' +
        '2026-01-01 00:00:02;a;21;40;1\n2026-01-01 00:00:01;a;20;;0\n1767225601000;b;19;41;0\n',
    );
    const data = await readCsvSeries(path, { delimiter: ';', labelColumn: 'anomaly' });
    expect(data.features).toEqual(['temp', 'hum']);
    const a = data.series.find((s) => s.deviceId === 'a')!;
    expect(a.readings).toEqual([
      { ts: Date.UTC(2026, 0, 1, 0, 0, 1), values: { temp: 20 } }, // an empty cell is a missing metric
      { ts: Date.UTC(2026, 0, 1, 0, 0, 2), values: { temp: 21, hum: 40 } },
    ]);
    expect(Array.from(a.labels!)).toEqual([0, 1]);
    expect(data.series.find((s) => s.deviceId === 'b')!.readings[0].ts).toBe(1767225601000);
  });

  it('reads the rows after the sample it picks feature columns from', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `${i * 1000},d${i % 2},${i}`);
    const data = await readCsvSeries(csv(`ts,device,temp\n${rows.join('\n')}\n`), {
      delimiter: ',',
    });
    expect(data.features).toEqual(['temp']);
    expect(data.series.map((s) => s.readings.length)).toEqual([500, 500]);
    expect(data.series[1].readings[499]).toEqual({ ts: 999_000, values: { temp: 999 } });
  });

  it('names the line and column of a bad cell, and a missing column', async () => {
    const path = csv('ts,temp\n2026-01-01T00:00:00Z,21\n2026-01-01T00:01:00Z,hot\n');
    await expect(readCsvSeries(path, { delimiter: ',', features: ['temp'] })).rejects.toThrow(
      /data\.csv:3: "hot" in column temp is not a number/,
    );
    await expect(readCsvSeries(path, { delimiter: ',', features: ['co2'] })).rejects.toThrow(
      TrainerError,
    );
    await expect(readCsvSeries(path, { delimiter: ',', labelColumn: 'anomaly' })).rejects.toThrow(
      /no label column "anomaly"/,
    );
    await expect(
      readCsvSeries(path.replace('data.csv', 'none.csv'), { delimiter: ',' }),
    ).rejects.toThrow(/cannot read .*none\.csv: ENOENT/);
    await expect(
      readCsvSeries(csv('ts,temp\n1,2\n3,4,5\n'), { delimiter: ',' }),
    ).rejects.toThrow(/data\.csv is not valid CSV: .*/);
  });
});
