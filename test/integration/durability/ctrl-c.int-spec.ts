import { ManagedInfluxd } from '@iag/storage';
import { join } from 'node:path';
import {
  ensureGatewayBuilt,
  GatewayProcess,
  killGatewayProcess,
  startGatewayProcess,
} from '../../support/gateway-process';
import { SIGNAL_ECHO_MS } from '../../../apps/gateway/src/stop-signals';
import { freePort } from '../../support/influx';
import { pollUntil } from '../../support/poll-until';
import { TelemetryFleet } from '../../support/telemetry-fleet';
import { testDir, uniqueDatabase } from '../../support/test-config';

/**
 * Ctrl-C in a terminal: SIGINT to the whole foreground process group. The gateway runs as
 * `npm start` does, with its own influxd (which a group signal must not take away mid-drain).
 */
describe('Ctrl-C', () => {
  let gateway: GatewayProcess | undefined;
  let fleet: TelemetryFleet | undefined;
  let influxd: ManagedInfluxd | undefined;

  beforeAll(() => ensureGatewayBuilt(), 300_000);
  afterEach(async () => {
    await fleet?.close();
    await killGatewayProcess(gateway);
    await influxd?.stop();
    [fleet, gateway, influxd] = [undefined, undefined, undefined];
  });

  const managedEnv = (dataDir: string, database: string) => ({
    DATA_DIR: dataDir,
    INFLUX_URL: '', // the gateway starts and supervises its own influxd, with its own admin
    INFLUX_USERNAME: '',
    INFLUX_PASSWORD: '',
    INFLUX_DATABASE: database,
    ALLOW_ANONYMOUS_DEVICES: 'true',
    SHUTDOWN_FLUSH_MS: '30000',
  });

  it('drains the spool into InfluxDB and exits 0 after one SIGINT to the bootstrap’s group', async () => {
    const dataDir = testDir('ctrl-c-');
    const database = uniqueDatabase();
    // Nothing is written before the stop: whatever InfluxDB holds afterwards, the drain wrote.
    const env = { ...managedEnv(dataDir, database), WRITE_BATCH_MS: '60000' };
    gateway = await startGatewayProcess({ ...env, WRITE_BATCH_POINTS: '100000' }, 'bootstrap');
    fleet = await TelemetryFleet.connect(gateway.mqttPort, 5, 'ctrlc');
    fleet.start({ inFlight: 2 });
    await pollUntil(
      () => fleet!.ackedTotal(),
      (n) => n >= 300,
    );
    const ready = await gateway.http('/ready', { key: null });
    expect(ready.body.checks.writer.spool.readings).toBeGreaterThan(0);

    gateway.killGroup('SIGINT');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    await fleet.stop();
    expect(gateway.output()).toContain('IoT Anomaly Gateway stopped');
    expect(gateway.output()).not.toContain('exiting without waiting');
    expect(gateway.output()).not.toContain('stay in the spool');
    // Its influxd did not get the terminal's SIGINT (it would exit, and be restarted mid-drain).
    expect(gateway.output()).not.toContain('exited unexpectedly');

    // The gateway's own influxd, on the same data, holds every acknowledged reading.
    influxd = new ManagedInfluxd({ dataDir: join(dataDir, 'influxdb'), log: () => undefined });
    const url = await influxd.start();
    const { missing, stored } = await fleet.awaitStored(database, { url, ...influxd.credentials });
    expect(missing).toEqual({});
    const count = [...stored.values()].reduce((sum, seqs) => sum + seqs.length, 0);
    expect(count).toBeGreaterThanOrEqual(300);
  }, 180_000);

  it('stops `npm start` gracefully on one SIGINT to its group', async () => {
    gateway = await startGatewayProcess(
      managedEnv(testDir('ctrl-c-npm-'), uniqueDatabase()),
      'npm',
    );
    gateway.killGroup('SIGINT');
    const exit = await gateway.exited;
    expect(gateway.output()).toContain('IoT Anomaly Gateway stopped');
    expect(gateway.output()).not.toContain('exiting without waiting');
    // npm re-raises the SIGINT it got once its script has ended.
    expect(exit.signal ?? exit.code).toBe('SIGINT');
  }, 180_000);

  it('exits at once on a second Ctrl-C that comes after the first', async () => {
    // InfluxDB is unreachable, so the drain would wait SHUTDOWN_FLUSH_MS (10 minutes).
    gateway = await startGatewayProcess(
      {
        DATA_DIR: testDir('ctrl-c-force-'),
        INFLUX_URL: `http://127.0.0.1:${await freePort()}`,
        ALLOW_ANONYMOUS_DEVICES: 'true',
        SHUTDOWN_FLUSH_MS: '600000',
      },
      'bootstrap',
    );
    fleet = await TelemetryFleet.connect(gateway.mqttPort, 1, 'ctrlcforce');
    fleet.start();
    await pollUntil(
      () => fleet!.ackedTotal(),
      (n) => n >= 5,
    );
    gateway.killGroup('SIGINT');
    await pollUntil(
      () => gateway!.output(),
      (out) => out.includes('stopping (SIGINT)'),
    );
    // The person presses Ctrl-C again, after the copies of the first one.
    await new Promise((resolve) => setTimeout(resolve, SIGNAL_ECHO_MS + 200));
    expect(gateway.output()).not.toContain('exiting without waiting');
    gateway.killGroup('SIGINT');
    expect(await gateway.exited).toEqual({ code: 1, signal: null });
    expect(gateway.output()).toContain('SIGINT again: exiting without waiting');
  }, 180_000);
});
