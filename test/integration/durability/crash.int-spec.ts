import mqtt, { MqttClient } from 'mqtt';
import {
  ensureGatewayBuilt,
  GatewayProcess,
  killGatewayProcess,
  startGatewayProcess,
} from '../../support/gateway-process';
import { pollUntil } from '../../support/poll-until';
import { TelemetryFleet } from '../../support/telemetry-fleet';
import { testDir, uniqueDatabase } from '../../support/test-config';

const T0 = Date.now() - 7_200_000;

async function anonymousDevice(port: number, id: string): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: id,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
}

/** QoS 1, one after another, one second apart in reading time from `from`. */
async function publishTemps(client: MqttClient, id: string, temps: number[], from: number) {
  for (const [i, temp] of temps.entries()) {
    const reading = { ts: T0 + (from + i) * 1000, temp };
    await client.publishAsync(`devices/${id}/telemetry`, JSON.stringify(reading), { qos: 1 });
  }
}

const quiet = (n: number) => Array.from({ length: n }, (_, i) => 20 + (i % 7) * 0.1);

describe('gateway killed with SIGKILL under load', () => {
  let gateway: GatewayProcess | undefined;
  let fleet: TelemetryFleet | undefined;
  let episodeDevice: MqttClient | undefined;

  beforeAll(() => ensureGatewayBuilt(), 300_000);

  afterEach(async () => {
    await fleet?.close();
    await episodeDevice?.endAsync(true);
    await killGatewayProcess(gateway);
  });

  it('stores every acknowledged reading after a restart and resumes the open episode', async () => {
    const database = uniqueDatabase();
    const env = {
      DATA_DIR: testDir('crash-'),
      INFLUX_DATABASE: database,
      ALLOW_ANONYMOUS_DEVICES: 'true',
      // a long batch delay keeps acknowledged readings in the spool when the kill comes
      WRITE_BATCH_MS: '3000',
      LOG_LEVEL: 'info',
    };
    gateway = await startGatewayProcess(env);
    const anomaliesOf = (g: GatewayProcess) =>
      g.http('/api/v1/anomalies?deviceId=ep-1').then((r) => r.body?.items ?? []);

    episodeDevice = await anonymousDevice(gateway.mqttPort, 'ep-1');
    await publishTemps(episodeDevice, 'ep-1', [...quiet(35), 60], 0);
    const [opened] = await pollUntil(
      () => anomaliesOf(gateway!),
      (items) => items.length === 1,
    );
    expect(opened.endedAt).toBeNull();

    fleet = await TelemetryFleet.connect(gateway.mqttPort, 20, 'crash');
    fleet.start({ inFlight: 4 });
    await pollUntil(
      () => fleet!.ackedTotal(),
      (n) => n >= 3000,
      { timeoutMs: 60_000 },
    );
    gateway.kill('SIGKILL');
    expect(await gateway.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await fleet.stop();

    gateway = await startGatewayProcess(env);
    // (the log line may follow the ready line: pino writes asynchronously)
    const replayed = await pollUntil(() => /spool holds (\d+) readings/.exec(gateway!.output()));
    expect(Number(replayed![1])).toBeGreaterThan(0);
    const { missing } = await fleet.awaitStored(database);
    expect(missing).toEqual({});
    expect(fleet.ackedTotal()).toBeGreaterThanOrEqual(3000);

    // The episode open before the crash is resumed: the next spike updates it (no second
    // 'opened'), quiet readings close it, under the same id.
    await episodeDevice.endAsync(true);
    episodeDevice = await anonymousDevice(gateway.mqttPort, 'ep-1');
    await publishTemps(episodeDevice, 'ep-1', [...quiet(32), 90, ...quiet(6)], 100);
    const [resumed] = await pollUntil(
      () => anomaliesOf(gateway!),
      (items) => items.length > 1 || items[0]?.endedAt !== null,
    );
    expect(await anomaliesOf(gateway)).toHaveLength(1);
    expect(resumed).toMatchObject({ id: opened.id, startedAt: opened.startedAt });
    expect(resumed.endedAt).not.toBeNull();
  }, 120_000);
});
