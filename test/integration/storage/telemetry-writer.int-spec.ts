import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateCredentials,
  ManagedInfluxd,
  TelemetryRepository,
  TelemetryWriter,
} from '@iag/storage';
import { Reading } from '@iag/contracts';
import { freePort, influxQuery } from '../../support/influx';
import { pollUntil } from '../../support/poll-until';
import { testConfig, testDir } from '../../support/test-config';
import { LmdbPointSpool } from '../../../libs/storage/src/spool/lmdb-point-spool';
import { telemetryLines } from '../../../libs/storage/src/telemetry/line-protocol';
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

      for (let i = 0; i < 5; i++) await writer.enqueue('dev-size', readings(5, T0 + i * 5000));

      const stats = await pollUntil(
        () => writer.stats(),
        (s) => s.writtenPoints === 20,
      );
      expect(stats.spool.readings).toBe(5);
      expect(await repository.count('dev-size')).toBe(20);

      await writer.flush();
      expect(writer.stats()).toMatchObject({
        spool: { readings: 0, bytes: 0 },
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
      expect(writer.stats()).toMatchObject({ spool: { readings: 5 }, writtenPoints: 0 });

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

    it('keeps every reading on disk, holds callers when the spool is full, writes all once InfluxDB is back', async () => {
      const port = await freePort();
      const admin = generateCredentials(); // the influxd that comes up later creates this admin
      storage = await startStorage({
        INFLUX_URL: `http://127.0.0.1:${port}`,
        INFLUX_USERNAME: admin.username,
        INFLUX_PASSWORD: admin.password,
        WRITE_BATCH_POINTS: '3000',
        WRITE_BATCH_MS: '10',
        SPOOL_MAX_BYTES: '1048576',
      });
      const writer = storage.get(TelemetryWriter);

      let spooled = 0;
      while (await writer.enqueue('dev-outage', readings(1000, T0 + spooled * 1000), 'drop')) {
        spooled += 1000;
      }
      expect(spooled).toBeGreaterThan(10_000);
      let lateResolved = false;
      const late = writer
        .enqueue('dev-outage', readings(1000, T0 + spooled * 1000))
        .then(() => (lateResolved = true));

      const failing = await pollUntil(
        () => writer.stats(),
        (s) => s.failedWrites >= 3,
      );
      expect(failing).toMatchObject({
        spool: { readings: spooled, waiting: 1, full: true },
        writtenPoints: 0,
        retrying: true,
      });
      expect(failing.spool.bytes).toBeLessThanOrEqual(1048576);
      expect(failing.lastError).toEqual(expect.any(String));
      expect(lateResolved).toBe(false);

      influxd = new ManagedInfluxd({
        dataDir: testDir('influxd-'),
        httpPort: port,
        credentials: admin,
        log: () => undefined,
      });
      await influxd.start();

      await late;
      const total = spooled + 1000;
      const repository = storage.get(TelemetryRepository);
      expect(
        await pollUntil(
          () => repository.count('dev-outage'),
          (n) => n === total,
          { timeoutMs: 30_000 },
        ),
      ).toBe(total);
      await writer.flush();
      expect(writer.stats()).toMatchObject({
        spool: { readings: 0, bytes: 0, full: false },
        writtenPoints: total,
        retrying: false,
      });
    });
  });

  describe('replay', () => {
    it('writes a reading replayed from the spool as the same point: once in InfluxDB', async () => {
      const config = testConfig({ WRITE_BATCH_POINTS: '70', WRITE_BATCH_MS: '5' });
      const spoolDir = join(config.dataDir, 'spool');
      const spool = new LmdbPointSpool();
      spool.open(spoolDir);
      for (let i = 0; i < 5; i++) {
        const batch = readings(100, T0 + i * 100_000, (j) => i * 100 + j + 0.1);
        await spool.append(telemetryLines('dev-replay', batch), batch.length, Date.now());
      }
      await spool.close();
      // As after a crash between InfluxDB's confirmation and the spool's cleanup.
      const snapshot = testDir('spool-snapshot-');
      cpSync(spoolDir, snapshot, { recursive: true });

      const stored = async () => {
        const storage = await startStorage({}, config);
        await storage.get(TelemetryWriter).flush();
        await storage.close();
        return influxQuery(
          config.influx.database,
          `SELECT count(temp), sum(temp) FROM telemetry WHERE device_id = 'dev-replay'`,
        );
      };
      const first = await stored();
      expect(first).toEqual([{ time: 0, count: 500, sum: expect.any(Number) }]);

      rmSync(spoolDir, { recursive: true });
      cpSync(snapshot, spoolDir, { recursive: true });
      expect(await stored()).toEqual(first);
    });
  });
});
