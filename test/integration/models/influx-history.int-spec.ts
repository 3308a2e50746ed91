import { TelemetryWriter } from '@iag/storage';
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
