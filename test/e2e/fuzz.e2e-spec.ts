import fc from 'fast-check';
import { MqttClient } from 'mqtt';
import { anomaliesQuerySchema, telemetryQuerySchema } from '@iag/contracts';
import { pollUntil } from '../support/poll-until';
import { collect, connectDevice } from '../support/mqtt-clients';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

const PARAMS = [
  ...Object.keys(anomaliesQuerySchema.shape),
  ...Object.keys(telemetryQuerySchema.in.shape),
];
const value = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e400',
    'NaN',
    'null',
    '2026-02-30',
    '9'.repeat(30),
    '1ms',
    'mean',
    'open',
    // Times and buckets beyond what InfluxDB holds: a 400 naming the parameter, never a 503.
    '9999999999999',
    '+010000-01-01T00:00:00Z',
    '-009999-01-01T00:00:00Z',
    '999999999w',
    'device_id',
    'time',
  ),
);
const query = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), fc.string({ maxLength: 8 })), value),
  {
    maxLength: 5,
  },
);

describe('Fuzzing the running gateway', () => {
  let gateway: TestGateway;
  let device: MqttClient;
  let errors: Array<{ topic: string; payload: string }>;

  beforeAll(async () => {
    // A small limit of metric names, so the payloads below also run into it.
    gateway = await startTestGateway({ DEVICE_MAX_METRICS: '16' });
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: 'fuzz-1' },
    });
    device = await connectDevice(gateway.mqttPort, 'fuzz-1', created.body.token);
    errors = collect(device);
    await device.subscribeAsync('devices/fuzz-1/errors', { qos: 1 });
  });

  afterAll(async () => {
    device?.end(true);
    await gateway?.close();
  });

  it.each(['/api/v1/anomalies', '/api/v1/devices/fuzz-1/telemetry'])(
    'GET %s answers any query with 200 or a JSON 400, never 5xx',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(query, async (pairs) => {
          const qs = new URLSearchParams(pairs).toString();
          const response = await gateway.http(`${path}?${qs}`);
          if (response.status === 200) return true;
          // Anything else the gateway could not answer would be a 503 or a 500 here.
          return (
            response.status === 400 &&
            response.body?.statusCode === 400 &&
            typeof response.body.message === 'string'
          );
        }),
        { numRuns: 120 },
      );
    },
  );

  it('answers any id in a path with 404 or 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (id) => {
        const encoded = encodeURIComponent(id || 'x');
        const statuses = [
          (await gateway.http(`/api/v1/anomalies/${encoded}`)).status,
          (await gateway.http(`/api/v1/devices/${encoded}`)).status,
          (await gateway.http(`/api/v1/anomalies/${encoded}/acknowledge`, { method: 'POST' }))
            .status,
        ];
        return statuses.every((s) => s === 404 || s === 400);
      }),
      { numRuns: 60 },
    );
  });

  it('answers every MQTT payload: stored, or an error notice with a code', async () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc
        .array(
          fc.dictionary(
            fc.oneof(
              fc.constantFrom('temp', 'ts', 'x y', 'hum', 'device_id', 'time'),
              fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/), // new names: past the device's limit
            ),
            fc.oneof(fc.double(), fc.string({ maxLength: 4 })),
            { maxKeys: 3 },
          ),
          { maxLength: 4 },
        )
        .map((v) => Buffer.from(JSON.stringify(v))),
    );
    const outcomes = () =>
      Promise.all(
        ['accepted', 'partial', 'rejected', 'failed'].map((o) =>
          metricValue(gateway, 'iag_mqtt_telemetry_messages_total', `outcome="${o}"`),
        ),
      );
    await fc.assert(
      fc.asyncProperty(payload, async (bytes) => {
        const [accepted, partial, rejected, failed] = await outcomes();
        const noticesBefore = errors.length;
        await device.publishAsync('devices/fuzz-1/telemetry', bytes, { qos: 1 });
        const after = await outcomes();
        if (after[3] !== failed) return false;
        if (after[0] === accepted + 1) return true;
        if (after[1] !== partial + 1 && after[2] !== rejected + 1) return false;
        const notices = await pollUntil(
          () => errors.slice(noticesBefore),
          (n) => n.length >= 1,
        );
        return typeof JSON.parse(notices[0].payload).error === 'string';
      }),
      { numRuns: 60 },
    );
    expect(device.connected).toBe(true);
  });

  it('held the fuzzed device to its limit of metric names', async () => {
    const seen = errors.length;
    const fresh = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`fresh_${i}`, i]));
    await device.publishAsync('devices/fuzz-1/telemetry', JSON.stringify(fresh), { qos: 1 });
    const [notice] = await pollUntil(
      () => errors.slice(seen),
      (n) => n.length >= 1,
    );
    expect(JSON.parse(notice.payload).error).toBe('TOO_MANY_METRICS');
    const answer = await gateway.http(`/api/v1/devices/fuzz-1/telemetry?from=0`);
    expect(answer.status).toBe(200);
    const names = new Set(
      answer.body.series.flatMap((p: { values: object }) => Object.keys(p.values)),
    );
    expect(names.size).toBeLessThanOrEqual(16);
    expect([...names]).not.toEqual(expect.arrayContaining(['device_id']));
    expect([...names]).not.toEqual(expect.arrayContaining(['time']));
  });
});
