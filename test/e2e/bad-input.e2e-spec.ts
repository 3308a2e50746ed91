import { MqttClient } from 'mqtt';
import { pollUntil } from '../support/poll-until';
import { collect, connectDevice } from '../support/mqtt-clients';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

describe('Bad input is answered, counted and never stored', () => {
  let gateway: TestGateway;
  let device: MqttClient;
  let errors: Array<{ topic: string; payload: string }>;
  const deviceId = 'noisy-1';

  beforeAll(async () => {
    gateway = await startTestGateway({ MAX_PAYLOAD_BYTES: '4096' });
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: deviceId },
    });
    device = await connectDevice(gateway.mqttPort, deviceId, created.body.token);
    errors = collect(device);
    await device.subscribeAsync(`devices/${deviceId}/errors`, { qos: 1 });
  });

  afterAll(async () => {
    device?.end(true);
    await gateway?.close();
  });

  const cases: Array<[string, string | Buffer, string]> = [
    ['malformed JSON', '{"temp": 21.5', 'INVALID_JSON'],
    ['a string value', '{"temp": "hot"}', 'INVALID_VALUE'],
    ['a bad metric name', '{"1temp": 21}', 'INVALID_METRIC_NAME'],
    ['a bad timestamp', '{"ts": "yesterday", "temp": 21}', 'INVALID_TIMESTAMP'],
    ['seconds instead of milliseconds', '{"ts": 1763816400, "temp": 21}', 'INVALID_TIMESTAMP'],
    ['an empty batch', '[]', 'EMPTY_BATCH'],
    ['no metrics', '{"ts": 1763816400123}', 'NO_METRICS'],
    ['a scalar', '42', 'NOT_AN_OBJECT'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'INVALID_UTF8'],
    [
      'an oversized payload',
      JSON.stringify({ temp: 1, pad: 'x'.repeat(5000) }),
      'PAYLOAD_TOO_LARGE',
    ],
  ];

  it.each(cases)('answers %s on the errors topic and counts it', async (_name, payload, code) => {
    const before = await metricValue(gateway, 'iag_readings_rejected_total', `code="${code}"`);
    const seen = errors.length;
    await device.publishAsync(`devices/${deviceId}/telemetry`, payload, { qos: 1 });
    const notices = await pollUntil(
      () => errors.slice(seen),
      (n) => n.length >= 1,
    );
    const notice = JSON.parse(notices[0].payload);
    expect(notice).toMatchObject({
      error: code,
      detail: expect.any(String),
      receivedAt: expect.any(String),
    });
    expect(await metricValue(gateway, 'iag_readings_rejected_total', `code="${code}"`)).toBe(
      before + 1,
    );
    expect(device.connected).toBe(true);
  });

  it('keeps the good readings of a mixed batch and names the bad one by index', async () => {
    const seen = errors.length;
    const batch = [
      { ts: Date.now() - 2000, temp: 20 },
      { ts: Date.now() - 1000, temp: 'x' },
      { ts: Date.now(), temp: 22 },
    ];
    await device.publishAsync(`devices/${deviceId}/telemetry`, JSON.stringify(batch), { qos: 1 });
    const notices = await pollUntil(
      () => errors.slice(seen),
      (n) => n.length >= 1,
    );
    expect(JSON.parse(notices[0].payload)).toMatchObject({ error: 'INVALID_VALUE', index: 1 });
    const stored = await pollUntil(
      () => gateway.http(`/api/v1/devices/${deviceId}/telemetry?from=0`),
      (r) => r.body?.series?.length >= 2,
    );
    expect(stored.body.series.map((p: { values: { temp: number } }) => p.values.temp)).toEqual([
      20, 22,
    ]);
  });

  it('stored nothing from the rejected messages', async () => {
    const stored = await gateway.http(`/api/v1/devices/${deviceId}/telemetry?from=0`);
    expect(stored.body.series).toHaveLength(2);
  });

  describe('REST', () => {
    it.each([
      ['/api/v1/anomalies?limit=abc', 'limit'],
      ['/api/v1/anomalies?limit=0', 'limit'],
      ['/api/v1/anomalies?status=sleepy', 'status'],
      ['/api/v1/anomalies?from=notadate', 'from'],
      ['/api/v1/anomalies?minScore=high', 'minScore'],
      ['/api/v1/anomalies?deviceId=bad%20id', 'deviceId'],
      ['/api/v1/anomalies?colour=red', 'colour'],
      ['/api/v1/anomalies?cursor=%25%25%25', 'cursor'],
      [`/api/v1/devices/${deviceId}/telemetry?every=often`, 'every'],
      [`/api/v1/devices/${deviceId}/telemetry?metrics=bad-name`, 'metrics'],
      [`/api/v1/devices/${deviceId}/telemetry?from=2026-01-02&to=2026-01-01`, 'to'],
    ])('GET %s is a 400 naming %s', async (path, param) => {
      const response = await gateway.http(path);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(response.body.message)).toContain(param);
    });

    it('answers a malformed JSON body with 400, not 500', async () => {
      const response = await gateway.http('/api/v1/devices', { method: 'POST', body: '{"id": ' });
      expect(response.status).toBe(400);
    });

    it('answers an invalid device body with a 400 naming the field', async () => {
      const response = await gateway.http('/api/v1/devices', {
        method: 'POST',
        body: { id: '-bad id-' },
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain('id');
    });

    it('answers a duplicate device with 409', async () => {
      const response = await gateway.http('/api/v1/devices', {
        method: 'POST',
        body: { id: deviceId },
      });
      expect(response.status).toBe(409);
    });

    it('answers unknown ids with 404', async () => {
      expect((await gateway.http('/api/v1/anomalies/not-an-id')).status).toBe(404);
      expect((await gateway.http('/api/v1/devices/ghost/telemetry')).status).toBe(404);
      expect((await gateway.http('/api/v1/devices/ghost', { method: 'DELETE' })).status).toBe(404);
    });

    it('requires a valid key (401) and a sufficient role (403)', async () => {
      expect((await gateway.http('/api/v1/anomalies', { key: null })).status).toBe(401);
      expect((await gateway.http('/api/v1/anomalies', { key: 'iag_nope_nope' })).status).toBe(401);
      const viewer = await gateway.http('/api/v1/keys', {
        method: 'POST',
        body: { name: 'dash', role: 'viewer' },
      });
      expect(viewer.status).toBe(201);
      expect((await gateway.http('/api/v1/anomalies', { key: viewer.body.key })).status).toBe(200);
      const forbidden = await gateway.http('/api/v1/devices', {
        method: 'POST',
        body: { id: 'x1' },
        key: viewer.body.key,
      });
      expect(forbidden.status).toBe(403);
    });
  });
});
