import { MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { pollUntil } from '../support/poll-until';
import {
  collect,
  connackRefusalAt,
  connectAt,
  subscribeGranted,
  waitForClose,
} from '../support/mqtt-clients';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

describe('MQTT over WebSocket', () => {
  let gateway: TestGateway;
  let url: string;
  const tokens: Record<string, string> = {};
  const clients: MqttClient[] = [];

  async function connect(id: string): Promise<MqttClient> {
    const client = await connectAt(url, { username: id, password: tokens[id] });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    gateway = await startTestGateway({ MAX_PAYLOAD_BYTES: '4096' });
    url = `ws://127.0.0.1:${gateway.httpPort}/mqtt`;
    for (const id of ['ws-a', 'ws-b']) {
      const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id } });
      tokens[id] = created.body.token;
    }
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  it('takes telemetry and answers bad payloads on the errors topic', async () => {
    const a = await connect('ws-a');
    const received = collect(a);
    await a.subscribeAsync('devices/ws-a/errors', { qos: 1 });
    await a.publishAsync('devices/ws-a/telemetry', '{"temp": 19.5}', { qos: 1 });
    await a.publishAsync('devices/ws-a/telemetry', '{"temp": "warm"}', { qos: 1 });
    const notices = await pollUntil(
      () => received,
      (r) => r.length >= 1,
    );
    expect(JSON.parse(notices[0].payload)).toMatchObject({ error: 'INVALID_VALUE' });
    const stored = await pollUntil(
      () => gateway.http('/api/v1/devices/ws-a/telemetry?from=0'),
      (r) => r.body?.series?.length === 1,
    );
    expect(stored.body.series[0].values.temp).toBe(19.5);
  });

  it('refuses a wrong token (0x04) and anonymous sessions (0x05), as over TCP', async () => {
    await expect(connackRefusalAt(url, { username: 'ws-a', password: 'nope' })).resolves.toBe(4);
    await expect(connackRefusalAt(url, { clientId: 'anon' })).resolves.toBe(5);
  });

  it('applies the same ACL: foreign subscriptions 0x80, foreign publishes close the session', async () => {
    const b = await connect('ws-b');
    expect(await subscribeGranted(b, ['devices/ws-a/errors', 'devices/ws-b/#'])).toEqual([128, 1]);
    const before = await metricValue(gateway, 'iag_mqtt_publish_denied_total');
    const closed = waitForClose(b);
    b.publish('devices/ws-a/telemetry', '{"temp": 99}', { qos: 1 });
    await closed;
    expect(await metricValue(gateway, 'iag_mqtt_publish_denied_total')).toBe(before + 1);
  });

  it('serves only /mqtt', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gateway.httpPort}/elsewhere`, 'mqtt');
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
  });

  it('closes a WebSocket whose message is larger than the packet limit', async () => {
    const ws = new WebSocket(url, 'mqtt');
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.alloc(4096 + 65_536 + 100, 0x30));
    expect(await closed).toBe(1009); // RFC 6455 section 7.4.1: message too big
  });
});
