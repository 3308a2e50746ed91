import mqtt, { MqttClient } from 'mqtt';
import { collect, connectDevice, subscribeGranted } from '../support/mqtt-clients';
import { pollUntil } from '../support/poll-until';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

const LANE = 'iag_mqtt_telemetry_lane_messages_total';
const PUBACK_LATENCY_COUNT = 'iag_mqtt_puback_latency_seconds_count';

/**
 * The telemetry lane takes a session's telemetry past aedes once its topic is allowed: each message
 * is still acknowledged, stored and (when someone subscribed) delivered, as through aedes.
 */
describe('Telemetry lane', () => {
  let gateway: TestGateway;
  const clients: MqttClient[] = [];
  const tokens = new Map<string, string>();
  const lane = (routed: boolean) => metricValue(gateway, LANE, `routed="${routed}"`);

  async function device(id: string, options = {}): Promise<MqttClient> {
    if (!tokens.has(id)) {
      const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id } });
      tokens.set(id, created.body.token);
    }
    const client = await connectDevice(gateway.mqttPort, id, tokens.get(id)!, options);
    clients.push(client);
    return client;
  }

  async function viewer(): Promise<MqttClient> {
    const created = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: `viewer-${clients.length}`, role: 'viewer' },
    });
    const client = await connectDevice(gateway.mqttPort, 'service:viewer', created.body.key);
    clients.push(client);
    return client;
  }

  const storedCount = async (id: string): Promise<number> => {
    const { body } = await gateway.http(`/api/v1/devices/${id}/telemetry?from=0`);
    return body?.series?.length ?? 0;
  };

  // Each reading its own timestamp: two readings of one device at the same ms are one point.
  let ts = Date.now() - 3600_000;
  const send = (client: MqttClient, id: string, temp: number, qos: 0 | 1 = 1) =>
    client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ ts: ts++, temp }), { qos });

  beforeAll(async () => {
    gateway = await startTestGateway();
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  it('acknowledges and stores every message: QoS 1 through the lane after the first, QoS 0 through aedes', async () => {
    const before = await lane(false);
    const pubacksBefore = await metricValue(gateway, PUBACK_LATENCY_COUNT);
    const dev = await device('lane-1');
    for (let i = 0; i < 20; i++) await send(dev, 'lane-1', 20 + i / 10);
    for (let i = 0; i < 5; i++) await send(dev, 'lane-1', 30, 0);
    await send(dev, 'lane-1', 31); // after the QoS 0 ones: the lane again
    expect(
      await pollUntil(
        () => storedCount('lane-1'),
        (n) => n === 26,
      ),
    ).toBe(26);
    expect((await lane(false)) - before).toBe(20);
    // Each PUBACK the lane wrote was timed (the first message of the session went through aedes).
    expect((await metricValue(gateway, PUBACK_LATENCY_COUNT)) - pubacksBefore).toBe(20);
    expect(await metricValue(gateway, 'iag_spool_append_seconds_count')).toBeGreaterThan(0);
  });

  it('delivers to a subscriber that arrives while a device is in the lane, and stops routing after it leaves', async () => {
    const dev = await device('lane-2');
    await send(dev, 'lane-2', 1);
    await send(dev, 'lane-2', 2); // this session's telemetry now takes the lane
    const watcher = await viewer();
    expect(await subscribeGranted(watcher, ['devices/+/telemetry'])).toEqual([1]);
    const seen = collect(watcher);
    const routedBefore = await lane(true);
    for (let i = 3; i <= 6; i++) await send(dev, 'lane-2', i);
    const got = await pollUntil(
      () => seen,
      (s) => s.length >= 4,
    );
    expect(got.map((m) => JSON.parse(m.payload).temp)).toEqual([3, 4, 5, 6]);
    expect((await lane(true)) - routedBefore).toBe(4);

    // A clean session's filters end with it: the lane no longer routes anything.
    const connected = await metricValue(gateway, 'iag_mqtt_connections');
    watcher.end(true);
    await pollUntil(
      () => metricValue(gateway, 'iag_mqtt_connections'),
      (n) => n === connected - 1,
    );
    const notRouted = await lane(false);
    const routed = await lane(true);
    await send(dev, 'lane-2', 7);
    await send(dev, 'lane-2', 8);
    expect((await lane(false)) - notRouted).toBe(2);
    expect((await lane(true)) - routed).toBe(0);
  });

  it("routes only the subscribed device's telemetry when a filter names one device", async () => {
    const watched = await device('lane-3');
    const other = await device('lane-4');
    // A device may subscribe inside its own namespace, which includes its telemetry.
    expect(await subscribeGranted(watched, ['devices/lane-3/#'])).toEqual([1]);
    const echoes = collect(watched);
    for (const [client, id] of [
      [watched, 'lane-3'],
      [other, 'lane-4'],
    ] as const) {
      await send(client, id, 1); // through aedes
    }
    const routed = await lane(true);
    const notRouted = await lane(false);
    await send(watched, 'lane-3', 2);
    await send(other, 'lane-4', 2);
    expect((await lane(true)) - routed).toBe(1);
    expect((await lane(false)) - notRouted).toBe(1);
    const got = await pollUntil(
      () => echoes,
      (s) => s.length >= 2,
    );
    expect(got.map((m) => m.topic)).toEqual([
      'devices/lane-3/telemetry',
      'devices/lane-3/telemetry',
    ]);
  });

  it('keeps routing for a persistent session while it is away, so it gets what was queued for it', async () => {
    const created = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: 'persistent-viewer', role: 'viewer' },
    });
    const options = { clientId: 'persistent-viewer', clean: false };
    const first = await connectDevice(
      gateway.mqttPort,
      'service:viewer',
      created.body.key,
      options,
    );
    expect(await subscribeGranted(first, ['devices/lane-6/telemetry'])).toEqual([1]);
    first.end(true);
    const dev = await device('lane-6');
    for (let i = 1; i <= 4; i++) await send(dev, 'lane-6', i); // 2..4 through the lane

    const back = mqtt.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
      ...options,
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: 'service:viewer',
      password: created.body.key,
    });
    clients.push(back);
    const queued = collect(back);
    const got = await pollUntil(
      () => queued,
      (s) => s.length >= 4,
    );
    expect(got.map((m) => JSON.parse(m.payload).temp)).toEqual([1, 2, 3, 4]);
  });

  it('keeps a publishing session alive past its keep-alive without PINGREQs', async () => {
    // aedes closes a session silent for 1.5 x keepalive; the lane must count its messages as traffic.
    const dev = await device('lane-5', { keepalive: 1 });
    let closed = false;
    dev.on('close', () => (closed = true));
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 3500) {
      await send(dev, 'lane-5', sent++);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(closed).toBe(false);
    expect(
      await pollUntil(
        () => storedCount('lane-5'),
        (n) => n === sent,
      ),
    ).toBe(sent);
  });
});
