import { TelemetryRepository } from '@iag/storage';
import { FleetRunner } from '../../apps/simulator/src/live/fleet-runner';
import { GatewayRestClient, provisionDevices } from '../../apps/simulator/src/live/provisioner';
import { fleetIds } from '../../apps/simulator/src/model/simulated-device';
import { pollUntil } from '../support/poll-until';
import { testDir, uniqueDatabase } from '../support/test-config';
import { startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../support/test-gateway';

describe(FleetRunner.name, () => {
  const settings = { DATA_DIR: testDir(), INFLUX_DATABASE: uniqueDatabase() };
  const ids = fleetIds(3, 'fleet');
  let gateway: TestGateway;
  let fleet: FleetRunner | undefined;

  beforeAll(async () => {
    gateway = await startTestGateway(settings);
  });

  afterAll(async () => {
    await fleet?.stop(0);
    await gateway?.close();
  });

  function rest(): GatewayRestClient {
    return new GatewayRestClient(`http://127.0.0.1:${gateway.httpPort}`, TEST_ADMIN_KEY);
  }

  it('provisions its devices through the REST API, and rotates their tokens on a second run', async () => {
    const first = await provisionDevices(rest(), ids, 'esp32-env');
    const again = await provisionDevices(rest(), ids, 'esp32-env');
    expect([...again.keys()]).toEqual(ids);
    for (const id of ids) expect(again.get(id)).not.toBe(first.get(id));
    const listed = await gateway.http('/api/v1/devices');
    expect(
      listed.body.items.map((d: { id: string; profile: string }) => [d.id, d.profile]),
    ).toEqual(ids.map((id) => [id, 'esp32-env']));
  });

  it('buffers while the gateway is down and sends every reading, with its own time, after it is back', async () => {
    const credentials = await provisionDevices(rest(), ids, 'esp32-env');
    const mqttPort = gateway.mqttPort;
    fleet = new FleetRunner({
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
      credentials,
      rate: 20,
      faultsPerHour: 0,
      warmupReadings: 1_000_000,
      seed: 5,
      rampUpMs: 0,
    });
    fleet.start();
    await pollUntil(
      () => fleet!.summary(),
      (s) => s.connected === 3 && s.acked >= 60,
    );

    const downAt = Date.now();
    await gateway.close();
    const offline = await pollUntil(
      () => fleet!.summary(),
      (s) => s.buffered >= 60,
    );
    const backAt = Date.now();
    expect(offline.connected).toBe(0);
    gateway = await startTestGateway({ ...settings, MQTT_PORT: String(mqttPort) });

    await pollUntil(
      () => fleet!.summary(),
      (s) => s.connected === 3 && s.buffered === 0 && s.reconnects >= 3,
      { timeoutMs: 20_000 },
    );
    await fleet.stop();
    const report = fleet.report();
    expect(report.acked).toBe(report.generated);
    expect(report.dropped).toBe(0);
    const telemetry = gateway.app.get(TelemetryRepository);
    const stored = await pollUntil(
      async () => (await Promise.all(ids.map((id) => telemetry.count(id)))).reduce((a, b) => a + b),
      (n) => n === report.generated,
    );
    expect(stored).toBe(report.generated);
    // the readings taken while the gateway was down were stored at the times they were taken
    let takenWhileDown = 0;
    for (const id of ids) {
      const { body } = await gateway.http(
        `/api/v1/devices/${id}/telemetry?from=${downAt}&to=${backAt}`,
      );
      takenWhileDown += body.series.length;
    }
    expect(takenWhileDown).toBeGreaterThanOrEqual(offline.buffered);
  });
});
