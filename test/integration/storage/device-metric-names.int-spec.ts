import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RejectionCode } from '@iag/contracts';
import { DeviceMetricNames, DeviceRegistry } from '@iag/storage';
import { influxExec, influxWrite } from '../../support/influx';
import { testConfig, testDir, uniqueDatabase } from '../../support/test-config';
import { StorageHarness, startStorage } from './storage-harness';

describe(DeviceMetricNames.name, () => {
  let storage: StorageHarness | undefined;
  afterEach(() => storage?.close());

  /** Storage on a DATA_DIR and database that survive a restart of the harness. */
  function persistent(extra: Record<string, string> = {}) {
    const env = { DATA_DIR: testDir(), INFLUX_DATABASE: uniqueDatabase(), ...extra };
    return async () => {
      await storage?.close();
      storage = await startStorage(env);
      return storage.get(DeviceMetricNames);
    };
  }

  /** One reading through the gate, saved as the ingestor saves it. */
  async function send(names: DeviceMetricNames, id: string, values: Record<string, number>) {
    const gate = names.gate(id, null);
    const rejection = gate.admit(values);
    await names.saveNew(id, gate);
    return rejection;
  }

  it("remembers each device's names across a restart, and with them its limit", async () => {
    const start = persistent({ DEVICE_MAX_METRICS: '3' });
    let names = await start();
    expect(await send(names, 'dev-1', { a: 1, b: 2 })).toBeNull();
    expect(await send(names, 'dev-1', { c: 3 })).toBeNull();
    expect(await send(names, 'dev-2', { z: 1 })).toBeNull();

    names = await start();
    expect(names.of('dev-1')).toEqual(['a', 'b', 'c']);
    expect(names.of('dev-2')).toEqual(['z']);
    expect((await send(names, 'dev-1', { d: 4 }))?.code).toBe(RejectionCode.TOO_MANY_METRICS);
    expect(await send(names, 'dev-1', { a: 5, c: 6 })).toBeNull();
    expect(await send(names, 'dev-2', { y: 1, x: 1 })).toBeNull(); // each device has its own
  });

  it("forgets a removed device's names, so provisioned again it starts with none", async () => {
    storage = await startStorage({ DEVICE_MAX_METRICS: '2' });
    const names = storage.get(DeviceMetricNames);
    const devices = storage.get(DeviceRegistry);
    await devices.create('dev-r');
    await send(names, 'dev-r', { junk_1: 1, junk_2: 1 });
    expect((await send(names, 'dev-r', { temp: 1 }))?.code).toBe(RejectionCode.TOO_MANY_METRICS);
    await devices.remove('dev-r');
    await devices.create('dev-r');
    expect(names.of('dev-r')).toEqual([]);
    expect(await send(names, 'dev-r', { temp: 1 })).toBeNull();
  });

  it('admits only the declared metrics of a device whose profile declares them', async () => {
    const profiles = join(testDir('profiles-'), 'profiles.json');
    writeFileSync(profiles, JSON.stringify({ profiles: { meter: { metrics: ['kwh', 'volts'] } } }));
    storage = await startStorage({ DEVICE_PROFILES: profiles });
    const names = storage.get(DeviceMetricNames);
    expect(names.gate('m-1', 'meter').admit({ kwh: 1 })).toBeNull();
    expect(names.gate('m-1', 'meter').admit({ amps: 1 })?.code).toBe(
      RejectionCode.UNDECLARED_METRIC,
    );
    expect(names.gate('other', 'thermostat').admit({ amps: 1 })).toBeNull(); // not declared: the limit
  });

  it('refuses to start on an invalid profiles file, naming the problem', async () => {
    const profiles = join(testDir('profiles-'), 'profiles.json');
    writeFileSync(profiles, JSON.stringify({ profiles: { meter: { metrics: ['time'] } } }));
    await expect(startStorage({ DEVICE_PROFILES: profiles })).rejects.toThrow(
      /profiles\.meter\.metrics\.0: metric name "time" is reserved/,
    );
  });

  it('reads the names devices already have in InfluxDB, once per database', async () => {
    // What an older build left: telemetry with a device_id field among the metrics, no names kept.
    const config = testConfig();
    const database = config.influx.database;
    await influxExec(`CREATE DATABASE "${database}"`);
    await influxWrite(
      database,
      'telemetry,device_id=legacy temp=1,hum=2 1700000000000\n' +
        'telemetry,device_id=legacy device_id=1,fan=3 1700000001000\n' +
        'telemetry,device_id=other x=1 1700000000000\n',
    );
    storage = await startStorage({}, config);
    let names = storage.get(DeviceMetricNames);
    expect(names.of('legacy')).toEqual(['fan', 'hum', 'temp']);
    expect(names.of('other')).toEqual(['x']);
    await storage.close();

    // Not read again for the same database: from now on the gateway keeps them itself.
    await influxWrite(database, 'telemetry,device_id=legacy late=1 1700000002000\n');
    const again = { DATA_DIR: config.dataDir, INFLUX_DATABASE: database };
    storage = await startStorage({}, testConfig(again));
    expect(storage.get(DeviceMetricNames).of('legacy')).toEqual(['fan', 'hum', 'temp']);
    await storage.close();

    // Another database is read, and merged into what is known.
    const other = uniqueDatabase();
    await influxExec(`CREATE DATABASE "${other}"`);
    await influxWrite(other, 'telemetry,device_id=legacy pres=1 1700000000000\n');
    storage = await startStorage({}, testConfig({ ...again, INFLUX_DATABASE: other }));
    names = storage.get(DeviceMetricNames);
    expect(names.of('legacy')).toEqual(['fan', 'hum', 'pres', 'temp']);
  });
});
