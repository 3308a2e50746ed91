import { TelemetryWriter } from '@iag/storage';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportTelemetryCsv } from '../../../apps/trainer/src/data/csv-export';
import { resolveInfluxAccess } from '../../../apps/trainer/src/data/influx-access';
import { readInfluxSeries } from '../../../apps/trainer/src/data/influx-series';
import { TrainerError } from '../../../apps/trainer/src/trainer-error';
import { influxExec, influxWrite, suiteInflux } from '../../support/influx';
import { uniqueDatabase } from '../../support/test-config';
import { startStorage } from '../storage/storage-harness';

const T0 = Date.UTC(2026, 0, 1);
const suite = () => {
  const { url, username, password } = suiteInflux();
  return { url, credentials: username ? { username, password: password ?? '' } : undefined };
};

/** Writes line protocol straight to the suite's influxd, as the gateway's writer stores telemetry. */
async function write(database: string, lines: string[]): Promise<void> {
  await influxExec(`CREATE DATABASE "${database}"`);
  await influxWrite(database, lines.join('\n'));
}

// The trainer's `export` and `train --from` read history through this, on the gateway's storage code.
describe('readInfluxSeries (trainer export / train from InfluxDB)', () => {
  it('reads each device in time order with the asked metrics, within the range', async () => {
    const database = uniqueDatabase();
    await write(database, [
      `telemetry,device_id=b temp=20,hum=40 ${T0 + 2000}`,
      `telemetry,device_id=a temp=21 ${T0 + 1000}`,
      `telemetry,device_id=a temp=22,hum=41,co2=400 ${T0}`,
      `telemetry,device_id=a temp=99 ${T0 + 60_000}`,
    ]);
    const series = await readInfluxSeries({
      ...suite(),
      database,
      from: T0,
      to: T0 + 10_000,
      metrics: ['temp', 'hum'],
    });
    expect(series).toEqual([
      {
        deviceId: 'a',
        readings: [
          { ts: T0, values: { temp: 22, hum: 41 } },
          { ts: T0 + 1000, values: { temp: 21 } },
        ],
      },
      { deviceId: 'b', readings: [{ ts: T0 + 2000, values: { temp: 20, hum: 40 } }] },
    ]);
    const onlyB = await readInfluxSeries({
      ...suite(),
      database,
      from: T0,
      to: T0 + 10_000,
      metrics: ['temp'],
      devices: ['b'],
    });
    expect(onlyB.map((s) => s.deviceId)).toEqual(['b']);
  });

  it('says so plainly when there is nothing to read or the server is not there', async () => {
    const database = uniqueDatabase();
    await write(database, [`telemetry,device_id=a temp=1 ${T0}`]);
    await expect(
      readInfluxSeries({
        ...suite(),
        database,
        from: T0 + 1,
        to: T0 + 2,
        metrics: ['temp'],
      }),
    ).rejects.toThrow(/no telemetry for temp in that time range/);
    await expect(
      readInfluxSeries({
        url: 'http://127.0.0.1:9',
        database,
        from: T0,
        to: T0 + 1,
        metrics: ['temp'],
      }),
    ).rejects.toBeInstanceOf(TrainerError);
  });

  it('is refused without the credentials of an influxd with authentication', async () => {
    const database = uniqueDatabase();
    await write(database, [`telemetry,device_id=a temp=1 ${T0}`]);
    const source = { database, from: T0, to: T0 + 1, metrics: ['temp'] };
    await expect(readInfluxSeries({ ...source, url: suiteInflux().url })).rejects.toThrow(
      /401|authorization/i,
    );
  });

  it("reads the gateway's own influxd of a DATA_DIR as the admin it generated", async () => {
    const storage = await startStorage({ INFLUX_URL: '' });
    try {
      const { dataDir, influx } = storage.config;
      const writer = storage.get(TelemetryWriter);
      await writer.enqueue('own-1', [{ ts: T0, values: { temp: 5 } }]);
      await writer.flush();
      const access = resolveInfluxAccess({ dataDir, database: influx.database }, 'export');
      expect(access.credentials?.username).toBe('iag_admin');
      const series = await readInfluxSeries({
        ...access,
        database: influx.database,
        from: T0,
        to: T0 + 1,
        metrics: ['temp'],
      });
      expect(series).toEqual([{ deviceId: 'own-1', readings: [{ ts: T0, values: { temp: 5 } }] }]);
    } finally {
      await storage.close();
    }
    expect(() =>
      resolveInfluxAccess({ dataDir: '/nonexistent', database: 'iot' }, 'export'),
    ).toThrow(
      /export needs --influx-url \(or INFLUX_URL\), or a gateway that runs its own influxd/,
    );
  });
});

describe('exportTelemetryCsv (trainer export)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iag-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams every page of every device to the CSV, in order, with empty cells for missing metrics', async () => {
    const database = uniqueDatabase();
    // 25 000 readings of one device: three pages of the repository's 10 000.
    const lines = Array.from(
      { length: 25_000 },
      (_, i) => `telemetry,device_id=a temp=${i}${i % 2 ? '' : `,hum=${i / 2}`} ${T0 + i * 1000}`,
    );
    await write(database, [...lines, `telemetry,device_id=b hum=7 ${T0}`]);
    const path = join(dir, 'out', 'fleet.csv');
    const result = await exportTelemetryCsv(
      { ...suite(), database, from: T0, to: T0 + 86_400_000, metrics: ['temp', 'hum'] },
      path,
    );
    expect(result).toEqual({ rows: 25_001, devices: 2 });
    const rows = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(1 + 25_001);
    expect(rows.slice(0, 3)).toEqual([
      'device_id,ts,temp,hum',
      `a,${new Date(T0).toISOString()},0,0`,
      `a,${new Date(T0 + 1000).toISOString()},1,`,
    ]);
    // Across the page boundaries nothing is lost or repeated.
    const temps = rows.slice(1, 25_001).map((r) => Number(r.split(',')[2]));
    expect(temps.every((t, i) => t === i)).toBe(true);
    expect(rows[25_001]).toBe(`b,${new Date(T0).toISOString()},,7`);
  });

  it('leaves no file behind when the export fails or finds nothing', async () => {
    const database = uniqueDatabase();
    await write(database, [`telemetry,device_id=a temp=1 ${T0}`]);
    const path = join(dir, 'failed.csv');
    const source = { database, from: T0 + 1, to: T0 + 2, metrics: ['temp'] };
    await expect(exportTelemetryCsv({ ...suite(), ...source }, path)).rejects.toThrow(
      /no telemetry for temp in that time range/,
    );
    await expect(
      exportTelemetryCsv({ ...source, url: 'http://127.0.0.1:9' }, path),
    ).rejects.toBeInstanceOf(TrainerError);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });
});
