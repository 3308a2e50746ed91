import { MqttClient } from 'mqtt';
import { pollUntil } from '../support/poll-until';
import {
  collect,
  connackRefusal,
  connectDevice,
  rawConnack,
  subscribeGranted,
  waitForClose,
} from '../support/mqtt-clients';
import { startTestGateway, TestGateway } from '../support/test-gateway';

describe('MQTT access control', () => {
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};
  const clients: MqttClient[] = [];

  async function provision(id: string): Promise<string> {
    const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id } });
    expect(created.status).toBe(201);
    return (tokens[id] = created.body.token);
  }

  async function connect(id: string, options = {}): Promise<MqttClient> {
    const client = await connectDevice(gateway.mqttPort, id, tokens[id], options);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    gateway = await startTestGateway();
    await provision('dev-a');
    await provision('dev-b');
    await provision('dev-c');
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  it('refuses a wrong password with CONNACK 0x04 (MQTT-3.2.2-5)', async () => {
    await expect(
      connackRefusal(gateway.mqttPort, { username: 'dev-a', password: 'wrong-token' }),
    ).resolves.toBe(4);
  });

  it('refuses an unknown device with CONNACK 0x04', async () => {
    await expect(
      connackRefusal(gateway.mqttPort, { username: 'ghost', password: tokens['dev-a'] }),
    ).resolves.toBe(4);
  });

  it('refuses anonymous devices by default with CONNACK 0x05', async () => {
    await expect(connackRefusal(gateway.mqttPort, { clientId: 'anon-1' })).resolves.toBe(5);
  });

  it('refuses a zero-byte client id with CleanSession=0 with CONNACK 0x02 (MQTT-3.1.3-8)', async () => {
    const connect = { username: 'dev-a', password: Buffer.from(tokens['dev-a']), clientId: '' };
    await expect(rawConnack(gateway.mqttPort, { ...connect, clean: false })).resolves.toBe(2);
    // The same empty id with CleanSession=1 is fine: the server assigns one (MQTT-3.1.3-6).
    await expect(rawConnack(gateway.mqttPort, { ...connect, clean: true })).resolves.toBe(0);
  });

  it('answers a SUBSCRIBE outside the device namespace with 0x80 and grants its own (MQTT-3.9.3)', async () => {
    const a = await connect('dev-a');
    const granted = await subscribeGranted(a, [
      'devices/dev-b/telemetry',
      'devices/dev-a/errors',
      '$SYS/#',
      'devices/+/errors',
    ]);
    expect(granted).toEqual([128, 1, 128, 128]);
    expect(a.connected).toBe(true);
  });

  it("neither stores nor delivers a publish to another device's topic", async () => {
    const b = await connect('dev-b');
    const seenByB = collect(b);
    await b.subscribeAsync('devices/dev-b/#', { qos: 1 });
    const a = await connect('dev-a');
    const closed = waitForClose(a);
    a.publish('devices/dev-b/telemetry', JSON.stringify({ temp: 99 }), { qos: 1 });
    await closed; // MQTT 3.1.1 has no negative PUBACK; the offending session is closed.
    // B's own reading, sent afterwards, must be the first and only telemetry B sees.
    await b.publishAsync('devices/dev-b/telemetry', JSON.stringify({ temp: 20 }), { qos: 1 });
    const seen = await pollUntil(
      () => seenByB,
      (s) => s.length >= 1,
    );
    expect(seen.map((m) => JSON.parse(m.payload).temp)).toEqual([20]);
    const stored = await pollUntil(
      () => gateway.http('/api/v1/devices/dev-b/telemetry?from=0'),
      (r) => r.body?.series?.length >= 1,
    );
    expect(stored.body.series.map((p: { values: { temp: number } }) => p.values.temp)).toEqual([
      20,
    ]);
  });

  it('refuses publishing to $SYS topics by closing the connection', async () => {
    const a = await connect('dev-a');
    const closed = waitForClose(a);
    a.publish('$SYS/broker/fake', 'x', { qos: 0 });
    await expect(closed).resolves.toBeGreaterThanOrEqual(0);
  });

  it('disconnects a revoked device within 1 s and refuses it afterwards', async () => {
    const c = await connect('dev-c');
    const closed = waitForClose(c, 2000);
    const started = Date.now();
    const revoked = await gateway.http('/api/v1/devices/dev-c', { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    await closed;
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(
      connackRefusal(gateway.mqttPort, { username: 'dev-c', password: tokens['dev-c'] }),
    ).resolves.toBe(4);
    const listed = await gateway.http('/api/v1/devices');
    expect(listed.body.items.map((d: { id: string }) => d.id)).not.toContain('dev-c');
  });
});
