import { readInfluxSeries } from '../../../apps/trainer/src/data/influx-series';
import { TrainerError } from '../../../apps/trainer/src/trainer-error';
import { uniqueDatabase } from '../../support/test-config';

const T0 = Date.UTC(2026, 0, 1);

/** Writes line protocol straight to the suite's influxd, as the gateway's writer stores telemetry. */
async function write(database: string, lines: string[]): Promise<void> {
  const url = process.env.INFLUX_URL!;
  await fetch(`${url}/query?q=${encodeURIComponent(`CREATE DATABASE "${database}"`)}`, {
    method: 'POST',
  });
  const response = await fetch(`${url}/write?db=${database}&precision=ms`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  expect(response.status).toBe(204);
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
      url: process.env.INFLUX_URL!,
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
      url: process.env.INFLUX_URL!,
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
        url: process.env.INFLUX_URL!,
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
});
