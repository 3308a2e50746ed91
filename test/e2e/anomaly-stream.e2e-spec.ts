import { MqttClient } from 'mqtt';
import { connectDevice } from '../support/mqtt-clients';
import { pollUntil } from '../support/poll-until';
import { openSse, SseConnection } from '../support/sse-client';
import { startTestGateway, TEST_ADMIN_KEY, TestGateway } from '../support/test-gateway';

/**
 * Each spike opens an anomaly and the next normal reading closes it (EPISODE_CLOSE_AFTER=1),
 * so every spike makes exactly two events.
 */
describe('GET /api/v1/anomalies/stream', () => {
  let gateway: TestGateway;
  let device: MqttClient;
  let other: MqttClient;
  let clock = Date.now() - 3_600_000;
  let i = 0;
  const open: SseConnection[] = [];

  async function send(client: MqttClient, id: string, temp: number): Promise<void> {
    const reading = { ts: (clock += 1000), temp, hum: 40 + 0.2 * Math.sin(i) };
    await client.publishAsync(`devices/${id}/telemetry`, JSON.stringify(reading), { qos: 1 });
  }

  async function spikes(client: MqttClient, id: string, count: number): Promise<void> {
    for (let s = 0; s < count; s++) {
      for (let n = 0; n < 4; n++) await send(client, id, 21 + 0.1 * Math.sin(i++));
      await send(client, id, 60);
      await send(client, id, 21 + 0.1 * Math.sin(i++));
    }
  }

  async function stream(query = '', lastEventId?: string): Promise<SseConnection> {
    const url = `http://127.0.0.1:${gateway.httpPort}/api/v1/anomalies/stream${query}`;
    const connection = await openSse(url, { key: TEST_ADMIN_KEY, lastEventId });
    open.push(connection);
    await pollUntil(() => connection.comments.includes('connected'));
    return connection;
  }

  beforeAll(async () => {
    gateway = await startTestGateway({ DETECTOR_LEARN_READINGS: '10', EPISODE_CLOSE_AFTER: '1' });
    const tokens: string[] = [];
    for (const id of ['pump-1', 'pump-2']) {
      const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id } });
      tokens.push(created.body.token);
    }
    device = await connectDevice(gateway.mqttPort, 'pump-1', tokens[0]);
    other = await connectDevice(gateway.mqttPort, 'pump-2', tokens[1]);
    for (let n = 0; n < 15; n++) {
      await send(device, 'pump-1', 21 + 0.1 * Math.sin(i++));
      await send(other, 'pump-2', 21 + 0.1 * Math.sin(i++));
    }
  });

  afterAll(async () => {
    open.forEach((c) => c.close());
    device?.end(true);
    other?.end(true);
    await gateway?.close();
  });

  it('needs a key, like the REST API', async () => {
    const url = `http://127.0.0.1:${gateway.httpPort}/api/v1/anomalies/stream`;
    expect((await openSse(url)).status).toBe(401);
    const bad = await openSse(url, { key: TEST_ADMIN_KEY, lastEventId: 'x' });
    expect(bad.status).toBe(400);
  });

  it('resumes after a disconnect with Last-Event-ID: every event once, in order, none lost', async () => {
    const watcher = await stream(); // stays connected throughout: the reference
    const client = await stream();
    await spikes(device, 'pump-1', 2);
    await pollUntil(() => client.events.length >= 4);
    client.close(); // the operator's laptop drops off the network
    await client.ended;
    const lastSeen = client.events.at(-1)!.id!;

    await spikes(device, 'pump-1', 2); // happens while the client is away
    await pollUntil(() => watcher.events.length >= 8);
    const resumed = await stream('', lastSeen);
    await spikes(device, 'pump-1', 1);
    await pollUntil(() => watcher.events.length >= 10);
    await pollUntil(() => resumed.events.at(-1)?.id === watcher.events.at(-1)?.id);

    const seen = [...client.events, ...resumed.events].map((e) => `${e.id}:${e.type}`);
    expect(seen).toEqual(watcher.events.map((e) => `${e.id}:${e.type}`));
    const ids = watcher.events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, k) => ids[0] + k)); // consecutive: nothing skipped
    expect(watcher.events.map((e) => e.type).slice(0, 2)).toEqual(['opened', 'closed']);
    const anomaly = JSON.parse(watcher.events[0].data);
    expect(anomaly).toMatchObject({ deviceId: 'pump-1', status: 'open' });
    expect(anomaly.metrics[0].name).toBe('temp');
  });

  it('filters by device and severity, on the replay as on live events', async () => {
    const byDevice = await stream('?deviceId=pump-2', '0');
    const critical = await stream('?severity=critical', '0');
    const warning = await stream('?severity=warning', '0');
    await spikes(other, 'pump-2', 1);
    await pollUntil(() => byDevice.events.length >= 2);
    expect(byDevice.events.map((e) => JSON.parse(e.data).deviceId)).toEqual(['pump-2', 'pump-2']);
    const all = await stream('', '0');
    await pollUntil(() => all.events.length >= 12);
    const severities = all.events.map((e) => JSON.parse(e.data).severity);
    await pollUntil(() => critical.events.length + warning.events.length >= all.events.length);
    expect(critical.events.map((e) => JSON.parse(e.data).severity)).toEqual(
      severities.filter((s) => s === 'critical'),
    );
    expect(warning.events.every((e) => JSON.parse(e.data).severity === 'warning')).toBe(true);
  });
});
