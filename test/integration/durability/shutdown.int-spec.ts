import { ManagedInfluxd } from '@iag/storage';
import { connect } from 'node:net';
import {
  ensureGatewayBuilt,
  GatewayProcess,
  killGatewayProcess,
  startGatewayProcess,
} from '../../support/gateway-process';
import { dedicatedInfluxd } from '../../support/dedicated-influxd';
import { pollUntil } from '../../support/poll-until';
import { TelemetryFleet } from '../../support/telemetry-fleet';
import { testDir, uniqueDatabase } from '../../support/test-config';

/** True when nothing accepts TCP connections on the port any more. */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('SIGTERM', () => {
  let influxd: ManagedInfluxd | undefined;
  let gateway: GatewayProcess | undefined;
  let fleet: TelemetryFleet | undefined;

  beforeAll(() => ensureGatewayBuilt(), 300_000);
  afterAll(async () => {
    await fleet?.close();
    await killGatewayProcess(gateway);
    await influxd?.stop();
  });

  it('stops accepting, exits 0 within SHUTDOWN_FLUSH_MS, and keeps what it could not write', async () => {
    const dedicated = await dedicatedInfluxd('sigterm');
    influxd = dedicated.influxd;
    const database = uniqueDatabase();
    const env = {
      DATA_DIR: testDir('sigterm-'),
      ...dedicated.env,
      INFLUX_DATABASE: database,
      ALLOW_ANONYMOUS_DEVICES: 'true',
      SHUTDOWN_FLUSH_MS: '2000',
    };
    gateway = await startGatewayProcess(env);
    fleet = await TelemetryFleet.connect(gateway.mqttPort, 10, 'sigterm');
    fleet.start({ inFlight: 2 });
    await pollUntil(
      () => fleet!.ackedTotal(),
      (n) => n >= 500,
    );
    // InfluxDB goes away: what is acknowledged from now on can only be in the spool.
    await influxd.stop();
    const ackedBefore = fleet.ackedTotal();
    await pollUntil(
      () => fleet!.ackedTotal(),
      (n) => n >= ackedBefore + 500,
    );

    gateway.kill('SIGTERM');
    await pollUntil(() => refused(gateway!.mqttPort));
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    await fleet.stop();
    const left = /(\d+) readings stay in the spool/.exec(gateway.output());
    expect(Number(left?.[1])).toBeGreaterThan(0);

    await influxd.start();
    gateway = await startGatewayProcess(env);
    const { missing } = await fleet.awaitStored(database, dedicated.target);
    expect(missing).toEqual({});
  }, 120_000);
});
