import { ManagedInfluxd, TelemetryRepository, TelemetryWriter } from '@iag/storage';
import { Reading } from '@iag/contracts';
import { freePort, influxQuery } from '../../support/influx';
import { pollUntil } from '../../support/poll-until';
import { testDir } from '../../support/test-config';
import { StorageHarness, startStorage } from './storage-harness';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

function readings(count: number, start = T0, value = (i: number) => i): Reading[] {
  return Array.from({ length: count }, (_, i) => ({
    ts: start + i * 1000,
    values: { temp: value(i) },
  }));
}

describe(TelemetryWriter.name, () => {
  describe('batching', () => {
    let storage: StorageHarness;
    afterEach(() => storage?.close());

    it('writes a batch as soon as it holds WRITE_BATCH_POINTS, and keeps the rest until flush()', async () => {
      storage = await startStorage({ WRITE_BATCH_POINTS: '10', WRITE_BATCH_MS: '60000' });
      const writer = storage.get(TelemetryWriter);
      const repository = storage.get(TelemetryRepository);

      await writer.enqueue('dev-size', readings(25));

      const stats = await pollUntil(
        () => writer.stats(),
        (s) => s.writtenPoints === 20,
      );
      expect(stats.bufferedPoints).toBe(5);
      expect(await repository.count('dev-size')).toBe(20);

      await writer.flush();
      expect(writer.stats()).toMatchObject({
        bufferedPoints: 0,
        writtenPoints: 25,
        failedWrites: 0,
        retrying: false,
      });
      expect(await repository.count('dev-size')).toBe(25);
    });

    it('writes a partial batch WRITE_BATCH_MS after its first point', async () => {
      storage = await startStorage({ WRITE_BATCH_POINTS: '1000', WRITE_BATCH_MS: '300' });
      const writer = storage.get(TelemetryWriter);

      const started = Date.now();
      await writer.enqueue('dev-time', readings(3));
      await writer.enqueue('dev-time', readings(2, T0 + 10_000));
      expect(writer.stats()).toMatchObject({ bufferedPoints: 5, writtenPoints: 0 });

      await pollUntil(
        () => writer.stats().writtenPoints,
        (n) => n === 5,
        { intervalMs: 10 },
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      const rows = await influxQuery(
        storage.config.influx.database,
        `SELECT temp FROM telemetry WHERE device_id = 'dev-time'`,
      );
      expect(rows.map((r) => r.time)).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 10_000, T0 + 11_000]);
    });

    it('keeps order across batches: the last write of a timestamp wins', async () => {
      storage = await startStorage({ WRITE_BATCH_POINTS: '7', WRITE_BATCH_MS: '5' });
      const writer = storage.get(TelemetryWriter);
      for (let i = 1; i <= 60; i++) {
        await writer.enqueue('dev-order', [
          { ts: T0, values: { v: i } },
          { ts: T0 + i, values: { v: i } },
        ]);
      }
      await writer.flush();
      const rows = await influxQuery(
        storage.config.influx.database,
        `SELECT v FROM telemetry WHERE time = ${T0}ms`,
      );
      expect(rows).toEqual([{ time: T0, v: 60 }]);
      expect(await storage.get(TelemetryRepository).count('dev-order')).toBe(61);
    });

    it('stores one float field per metric under the device tag, with the reading time', async () => {
      storage = await startStorage({ WRITE_BATCH_MS: '5' });
      const writer = storage.get(TelemetryWriter);
      await writer.enqueue('dev-fields', [{ ts: T0 + 123, values: { temp: 21, hum: 40.5 } }]);
      await writer.flush();
      const db = storage.config.influx.database;
      const fields = await influxQuery(db, 'SHOW FIELD KEYS FROM telemetry');
      expect(fields).toEqual(
        expect.arrayContaining([
          { fieldKey: 'temp', fieldType: 'float' },
          { fieldKey: 'hum', fieldType: 'float' },
        ]),
      );
      expect(await influxQuery(db, 'SHOW TAG VALUES FROM telemetry WITH KEY = device_id')).toEqual([
        { key: 'device_id', value: 'dev-fields' },
      ]);
      expect(await influxQuery(db, 'SELECT * FROM telemetry')).toEqual([
        { time: T0 + 123, device_id: 'dev-fields', temp: 21, hum: 40.5 },
      ]);
    });
  });

  describe('while InfluxDB is down', () => {
    let storage: StorageHarness | undefined;
    let influxd: ManagedInfluxd | undefined;
    afterEach(async () => {
      await storage?.close();
      await influxd?.stop();
    });

    it('keeps every point, applies backpressure when full, and writes them all once InfluxDB is back', async () => {
      const port = await freePort();
      storage = await startStorage({
        INFLUX_URL: `http://127.0.0.1:${port}`,
        WRITE_BATCH_POINTS: '300',
        WRITE_BATCH_MS: '10',
        WRITE_BUFFER_POINTS: '1000',
      });
      const writer = storage.get(TelemetryWriter);

      await writer.enqueue('dev-outage', readings(1000));
      let lateResolved = false;
      const late = writer
        .enqueue('dev-outage', readings(10, T0 + 5_000_000))
        .then(() => (lateResolved = true));

      const failing = await pollUntil(
        () => writer.stats(),
        (s) => s.failedWrites >= 3,
      );
      expect(failing).toMatchObject({ bufferedPoints: 1000, writtenPoints: 0, retrying: true });
      expect(failing.lastError).toEqual(expect.any(String));
      expect(lateResolved).toBe(false);

      influxd = new ManagedInfluxd({
        dataDir: testDir('influxd-'),
        httpPort: port,
        log: () => undefined,
      });
      await influxd.start();

      await late;
      const repository = storage.get(TelemetryRepository);
      expect(
        await pollUntil(
          () => repository.count('dev-outage'),
          (n) => n === 1010,
          { timeoutMs: 20_000 },
        ),
      ).toBe(1010);
      await writer.flush();
      expect(writer.stats()).toMatchObject({
        bufferedPoints: 0,
        writtenPoints: 1010,
        retrying: false,
      });
    });
  });
});
