import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_HEADER, exportCsv } from './csv-export';

describe(exportCsv.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'iag-sim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const options = {
    devices: 3,
    days: 1,
    intervalS: 60,
    faultsPerHour: 0.5,
    seed: 42,
    startMs: Date.parse('2026-03-01T00:00:00Z'),
    warmupReadings: 60,
  };

  it('writes one labelled row per device and interval, with ISO 8601 times', async () => {
    const file = join(dir, 'a.csv');
    const summary = await exportCsv({ ...options, file });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines[0]).toBe('timestamp,device_id,temp,hum,pressure,power,vibration,anomaly');
    expect(lines).toHaveLength(1 + 3 * 1440);
    expect(summary.rows).toBe(3 * 1440);
    const row = lines[1].split(',');
    expect(row[0]).toBe('2026-03-01T00:00:00.000Z');
    expect(row[1]).toBe('sim-0001');
    expect(row.slice(2, 7).every((v) => Number.isFinite(Number(v)))).toBe(true);
    const anomalous = lines.slice(1).filter((l) => l.endsWith(',1')).length;
    expect(anomalous).toBe(summary.anomalousRows);
    expect(anomalous).toBeGreaterThan(0);
    expect(summary.faults.length).toBeGreaterThan(0);
  });

  it('labels exactly the rows inside the fault windows it reports', async () => {
    const file = join(dir, 'b.csv');
    const summary = await exportCsv({ ...options, file });
    for (const line of readFileSync(file, 'utf8').trimEnd().split('\n').slice(1)) {
      const cols = line.split(',');
      const ts = Date.parse(cols[0]);
      const inside = summary.faults.some(
        (f) => f.deviceId === cols[1] && ts >= f.startTs && ts <= f.endTs,
      );
      expect(cols[7]).toBe(inside ? '1' : '0');
    }
  });

  it('is reproducible from its seed', async () => {
    await exportCsv({ ...options, file: join(dir, 'c.csv') });
    await exportCsv({ ...options, file: join(dir, 'd.csv') });
    expect(readFileSync(join(dir, 'c.csv'))).toEqual(readFileSync(join(dir, 'd.csv')));
  });

  it('writes no anomaly without faults', async () => {
    const summary = await exportCsv({ ...options, faultsPerHour: 0, file: join(dir, 'e.csv') });
    expect(summary.anomalousRows).toBe(0);
  });
});
