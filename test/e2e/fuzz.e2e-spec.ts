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
    gateway = await startTestGateway();
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
            fc.constantFrom('temp', 'ts', 'x y', 'hum'),
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
});
