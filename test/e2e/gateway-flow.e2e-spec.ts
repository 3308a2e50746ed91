import { MqttClient } from 'mqtt';
import { pollUntil } from '../support/poll-until';
import { connectDevice } from '../support/mqtt-clients';
import { startTestGateway, TestGateway } from '../support/test-gateway';

/** A steady, slightly noisy two-metric series (deterministic), as a thermostat would send it. */
function steadyReading(i: number, ts: number): { ts: number; temp: number; hum: number } {
  const noise = (Math.sin(i * 12.9898) * 43758.5453) % 1; // repeatable pseudo-noise in (-1, 1)
  return {
    ts,
    temp: 21 + 0.3 * Math.sin(i / 3) + 0.1 * noise,
    hum: 40 + 0.5 * Math.cos(i / 5) - 0.1 * noise,
  };
}

describe('Gateway flow (MQTT in, REST out)', () => {
  let gateway: TestGateway;
  let device: MqttClient;
  let token: string;
  const deviceId = 'thermo-1';
  const start = Date.now() - 10 * 60_000;
  const sent: number[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway();
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: deviceId, profile: 'thermostat' },
    });
    expect(created.status).toBe(201);
    token = created.body.token;
    device = await connectDevice(gateway.mqttPort, deviceId, token);
  });

  afterAll(async () => {
    device?.end(true);
    await gateway?.close();
  });

  it('returns the token once and lists the device without it', async () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const list = await gateway.http('/api/v1/devices');
    expect(list.status).toBe(200);
    const me = list.body.items.find((d: { id: string }) => d.id === deviceId);
    expect(me).toMatchObject({ id: deviceId, profile: 'thermostat', connected: true });
    expect(list.text).not.toContain(token);
  });

  it('finds exactly one anomaly for a spike, with the spiking metric ranked first', async () => {
    for (let i = 0; i < 80; i++) {
      const ts = start + i * 1000;
      const reading = steadyReading(i, ts);
      if (i === 60) reading.temp = 45; // the fault: one metric jumps
      await device.publishAsync(`devices/${deviceId}/telemetry`, JSON.stringify(reading), {
        qos: 1,
      });
      sent.push(ts);
    }
    const closed = await pollUntil(
      () => gateway.http(`/api/v1/anomalies?deviceId=${deviceId}`),
      (r) => r.body?.items?.some((a: { endedAt: string | null }) => a.endedAt !== null),
      { timeoutMs: 15_000 },
    );
    expect(closed.body.items).toHaveLength(1);
    const anomaly = closed.body.items[0];
    expect(anomaly).toMatchObject({ deviceId, status: 'open', detector: 'zscore' });
    expect(anomaly.metrics[0].name).toBe('temp');
    expect(anomaly.peakScore).toBeGreaterThan(1);
    // Times come from the readings themselves, not from when they arrived.
    expect(anomaly.startedAt).toBe(new Date(start + 60_000).toISOString());
    expect(closed.body.nextCursor).toBeNull();
  });

  it('stores every acknowledged reading in InfluxDB at its own timestamp', async () => {
    const from = new Date(start).toISOString();
    const to = new Date(start + 80_000).toISOString();
    const raw = await pollUntil(
      () =>
        gateway.http(
          `/api/v1/devices/${deviceId}/telemetry?from=${from}&to=${to}&metrics=temp,hum`,
        ),
      (r) => r.body?.series?.length === sent.length,
    );
    expect(raw.body.series[0].time).toBe(from);
    expect(raw.body.series[60].values.temp).toBe(45);
    const perMinute = await gateway.http(
      `/api/v1/devices/${deviceId}/telemetry?from=${from}&to=${to}&metrics=temp&every=1m&fn=max`,
    );
    expect(perMinute.status).toBe(200);
    expect(perMinute.body.series.length).toBeGreaterThanOrEqual(2);
    expect(
      Math.max(...perMinute.body.series.map((p: { values: { temp: number } }) => p.values.temp)),
    ).toBe(45);
  });

  it('records who acknowledged and resolved the anomaly', async () => {
    const [anomaly] = (await gateway.http(`/api/v1/anomalies?deviceId=${deviceId}`)).body.items;
    const acked = await gateway.http(`/api/v1/anomalies/${anomaly.id}/acknowledge`, {
      method: 'POST',
    });
    expect(acked.status).toBeLessThan(300);
    expect(acked.body).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: expect.any(String),
    });
    const resolved = await gateway.http(`/api/v1/anomalies/${anomaly.id}/resolve`, {
      method: 'POST',
    });
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      acknowledgedBy: acked.body.acknowledgedBy,
    });
    const fetched = await gateway.http(`/api/v1/anomalies/${anomaly.id}`);
    expect(fetched.body.status).toBe('resolved');
    expect(fetched.body.resolvedAt).not.toBeNull();
    const filtered = await gateway.http(`/api/v1/anomalies?status=open&deviceId=${deviceId}`);
    expect(filtered.body.items).toHaveLength(0);
  });

  it('updates lastSeen and the accepted counter', async () => {
    const me = await pollUntil(
      async () => (await gateway.http(`/api/v1/devices/${deviceId}`)).body,
      (d) => d?.accepted === sent.length,
    );
    expect(me.lastSeen).not.toBeNull();
  });
});
