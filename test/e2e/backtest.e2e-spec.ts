import { Anomaly } from '@iag/contracts';
import { routingDetector } from '@iag/detection';
import { replay, ReplayDevice, summarise } from '@iag/detection-lab';
import { MqttClient } from 'mqtt';
import { join } from 'node:path';
import { readBacktestDevices } from '../../apps/trainer/src/backtest/backtest-input';
import { connectDevice } from '../support/mqtt-clients';
import { pollUntil } from '../support/poll-until';
import { testConfig } from '../support/test-config';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

const FIXTURE = join(__dirname, '../fixtures/backtest/pumps.csv');
/** Readings per MQTT message: firmware sends buffered readings as arrays. */
const PER_MESSAGE = 25;

/** What the two must agree on: every field an operator reads, but the status an operator sets. */
function episodeView(a: Anomaly) {
  return {
    id: a.id,
    deviceId: a.deviceId,
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    peakScore: a.peakScore,
    severity: a.severity,
    detector: a.detector,
    detectors: a.detectors,
    metrics: a.metrics,
  };
}

describe('Backtest equals production: a labelled file replayed over MQTT', () => {
  let gateway: TestGateway;
  const clients: MqttClient[] = [];
  let devices: ReplayDevice[];

  beforeAll(async () => {
    // The fixture's readings, moved to the last few minutes (the gateway refuses readings from
    // the future and stores by ts): the backtest replays exactly what the devices send.
    const base = Date.now() - 11 * 3_600_000;
    devices = (
      await readBacktestDevices([FIXTURE], {
        delimiter: ',',
        labelColumn: 'anomaly',
        profile: null,
      })
    ).map((d) => ({
      ...d,
      readings: d.readings.map((r) => ({ ...r, ts: base + (r.ts - d.readings[0].ts) })),
    }));
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await gateway?.close();
  });

  it('opens over MQTT exactly the episodes the backtest finds, with the same detectors and peaks', async () => {
    for (const device of devices) {
      const created = await gateway.http('/api/v1/devices', {
        method: 'POST',
        body: { id: device.deviceId },
      });
      expect(created.status).toBe(201);
      const client = await connectDevice(gateway.mqttPort, device.deviceId, created.body.token);
      clients.push(client);
      for (let i = 0; i < device.readings.length; i += PER_MESSAGE) {
        const batch = device.readings
          .slice(i, i + PER_MESSAGE)
          .map((r) => ({ ts: r.ts, ...r.values }));
        await client.publishAsync(`devices/${device.deviceId}/telemetry`, JSON.stringify(batch), {
          qos: 1,
        });
      }
    }
    const total = devices.reduce((n, d) => n + d.readings.length, 0);
    // Every reading has been through detection (scored, or learned from while learning).
    await pollUntil(
      async () =>
        (await metricValue(gateway, 'iag_readings_scored_total')) +
        (await metricValue(gateway, 'iag_readings_unscored_total', 'reason="learning"')),
      (n) => n >= total,
    );

    const settings = testConfig().detector; // the same variables the gateway parsed
    const replayed = await replay(devices, routingDetector(settings), settings);
    const expected = replayed.flatMap((d) => d.episodes).map(episodeView);
    const { summary, events } = summarise(replayed);
    // The fixture's three faults are found, and the backtest is not trivially empty.
    expect(events.map((e) => e.caught)).toEqual([true, true, true]);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(summary.falseAlarmRate).toBeLessThan(0.1);

    const seen = await pollUntil(
      async () => {
        const pages = await Promise.all(
          devices.map((d) => gateway.http(`/api/v1/anomalies?deviceId=${d.deviceId}&limit=500`)),
        );
        return pages.flatMap((p) => p.body.items as Anomaly[]);
      },
      (items) =>
        items.length === expected.length &&
        items.every((a) => expected.some((e) => e.id === a.id && e.endedAt === a.endedAt)),
    );
    const byStart = (a: { deviceId: string; startedAt: string }, b: typeof a) =>
      a.deviceId.localeCompare(b.deviceId) || a.startedAt.localeCompare(b.startedAt);
    expect(seen.map(episodeView).sort(byStart)).toEqual([...expected].sort(byStart));
  });
});
