import {
  InfluxHealth,
  readCredentialsFile,
  StorageModule,
  TelemetryRepository,
  TelemetryWriter,
} from '@iag/storage';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, influxQuery } from '../../support/influx';
import { StorageHarness, startStorage } from './storage-harness';

describe(StorageModule.name, () => {
  let storage: StorageHarness | undefined;
  afterEach(async () => {
    await storage?.close();
    storage = undefined;
  });

  it('prepares the database with the configured retention and reports ready', async () => {
    storage = await startStorage({ INFLUX_RETENTION: '30d' });
    const { database } = storage.config.influx;
    expect(await storage.get(InfluxHealth).ping()).toEqual({
      ok: true,
      latencyMs: expect.any(Number),
    });
    const policies = await influxQuery(database, `SHOW RETENTION POLICIES ON "${database}"`);
    expect(policies).toEqual([
      expect.objectContaining({ name: 'autogen', duration: '720h0m0s', default: true }),
    ]);
  });

  it('starts, uses and stops its own influxd under DATA_DIR when INFLUX_URL is unset', async () => {
    storage = await startStorage({ INFLUX_URL: '' });
    const influxDir = join(storage.config.dataDir, 'influxdb');
    const conf = readFileSync(join(influxDir, 'influxd.conf'), 'utf8');
    const port = /\[http\][^[]*bind-address = "127\.0\.0\.1:(\d+)"/.exec(conf)![1];
    const url = `http://127.0.0.1:${port}`;
    expect(url).not.toBe(process.env.INFLUX_URL);
    const admin = readCredentialsFile(influxDir)!;
    expect(admin).toEqual({ username: 'iag_admin', password: expect.any(String), url });
    expect(admin.password.length).toBeGreaterThanOrEqual(43); // 256 random bits
    expect(statSync(join(influxDir, 'credentials.json')).mode & 0o777).toBe(0o600);

    // Authentication is on: without the generated admin's password nothing is answered.
    const showDatabases = `${url}/query?${new URLSearchParams({ q: 'SHOW DATABASES' })}`;
    expect((await fetch(showDatabases)).status).toBe(401);
    const wrong = { authorization: `Basic ${Buffer.from('iag_admin:guess').toString('base64')}` };
    expect((await fetch(showDatabases, { headers: wrong })).status).toBe(401);
    expect(
      (
        await fetch(`${url}/write?db=${storage.config.influx.database}`, {
          method: 'POST',
          body: 'm v=1',
        })
      ).status,
    ).toBe(401);

    expect((await storage.get(InfluxHealth).ping()).ok).toBe(true);
    const writer = storage.get(TelemetryWriter);
    await writer.enqueue('own', [{ ts: Date.UTC(2026, 0, 1), values: { v: 1 } }]);
    await writer.flush();
    expect(await storage.get(TelemetryRepository).count('own')).toBe(1);
    expect(
      await influxQuery(storage.config.influx.database, 'SELECT v FROM telemetry', {
        ...admin,
        url,
      }),
    ).toHaveLength(1);

    await storage.close();
    storage = undefined;
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
  });

  it('boots against an unreachable external InfluxDB and reports it not ready', async () => {
    storage = await startStorage({ INFLUX_URL: `http://127.0.0.1:${await freePort()}` });
    const health = await storage.get(InfluxHealth).ping();
    expect(health).toMatchObject({ ok: false, error: expect.any(String) });
  });
});
