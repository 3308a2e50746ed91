import { MqttClient } from 'mqtt';
import { pollUntil } from '../../support/poll-until';
import {
  collect,
  connackRefusal,
  connectDevice,
  connectPersistent,
  waitForClose,
} from '../../support/mqtt-clients';
import { metricValue, startTestGateway, TestGateway } from '../../support/test-gateway';

const REFUSED = 'iag_mqtt_connect_refused_total';
const ENDED = 'iag_mqtt_sessions_ended_total';

/**
 * The hostile tenant of the broker's sessions (issue 18, rows 3 and 4): a viewer key and a
 * provisioned device attack with persistent sessions and client ids while the victim device keeps
 * its own persistent session and its telemetry. Transport and certificates: transport.e2e-spec.ts.
 */
describe('Hostile tenant: broker sessions', () => {
  let gateway: TestGateway;
  const clients: MqttClient[] = [];
  const tokens: Record<string, string> = {};
  let victim: MqttClient;
  let ts = Date.now() - 3_600_000;
  let sent = 0;

  const keep = <T extends MqttClient>(client: T): T => (clients.push(client), client);
  const refused = (reason: string) => metricValue(gateway, REFUSED, `reason="${reason}"`);
  const ended = (reason: string) => metricValue(gateway, ENDED, `reason="${reason}"`);
  const port = () => gateway.mqttPort;

  const queued = () => metricValue(gateway, 'iag_mqtt_session_queued_messages');
  const revokeKey = (id: string) => gateway.http(`/api/v1/keys/${id}`, { method: 'DELETE' });

  async function key(name: string): Promise<{ id: string; key: string }> {
    const created = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name, role: 'viewer' },
    });
    return created.body;
  }

  /** A viewer key's persistent session on every device's telemetry (the attack). */
  async function viewerSession(apiKey: string, clientId: string) {
    const session = await connectPersistent(port(), {
      clientId,
      username: 'service:attacker',
      password: apiKey,
    });
    keep(session.client);
    await session.client.subscribeAsync('devices/+/telemetry', { qos: 1 });
    return session;
  }

  async function victimSends(count: number): Promise<void> {
    for (let i = 0; i < count; i++, sent++)
      await victim.publishAsync(
        'devices/victim/telemetry',
        JSON.stringify({ ts: ts++, temp: sent }),
        { qos: 1 },
      );
  }

  beforeAll(async () => {
    gateway = await startTestGateway({
      MQTT_MAX_QUEUED_MESSAGES: '20',
      MQTT_MAX_SESSIONS_PER_PRINCIPAL: '3',
    });
    for (const id of ['victim', 'mallory']) {
      tokens[id] = (
        await gateway.http('/api/v1/devices', { method: 'POST', body: { id } })
      ).body.token;
    }
    // The victim holds a persistent session of its own throughout.
    const own = await connectPersistent(port(), {
      clientId: 'victim',
      username: 'victim',
      password: tokens.victim,
    });
    victim = keep(own.client);
    await victim.subscribeAsync('devices/victim/errors', { qos: 1 });
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  it('row 3: a viewer session that is away queues MQTT_MAX_QUEUED_MESSAGES, the newest', async () => {
    const dropped = await metricValue(gateway, 'iag_mqtt_session_queue_dropped_total');
    const { id, key: apiKey } = await key('queue');
    const { client } = await viewerSession(apiKey, 'attacker-q');
    await client.endAsync();
    const first = sent;
    await victimSends(50);
    expect(await queued()).toBe(20);
    expect((await metricValue(gateway, 'iag_mqtt_session_queue_dropped_total')) - dropped).toBe(30);

    // Its client id is its own while it is away: another key is refused it.
    const other = await key('queue-other');
    await expect(
      connackRefusal(port(), {
        clientId: 'attacker-q',
        clean: false,
        username: 'service:attacker',
        password: other.key,
      }),
    ).resolves.toBe(2);

    const back = await connectPersistent(port(), {
      clientId: 'attacker-q',
      username: 'service:attacker',
      password: apiKey,
    });
    keep(back.client);
    expect(back.sessionPresent).toBe(true);
    const got = await pollUntil(
      () => back.received,
      (r) => r.length >= 20,
    );
    const temps = got.map((m) => JSON.parse(m.payload).temp);
    expect(temps).toEqual(Array.from({ length: 20 }, (_, i) => first + 30 + i));
    await pollUntil(queued, (q) => q === 0); // acknowledged
    await revokeKey(id);
  });

  it('row 3: a principal holds at most MQTT_MAX_SESSIONS_PER_PRINCIPAL persistent sessions', async () => {
    const { id, key: apiKey } = await key('many');
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await viewerSession(apiKey, `many-${i}`));
    const tooMany = await refused('too_many_sessions');
    await expect(
      connackRefusal(port(), {
        clientId: 'many-3',
        clean: false,
        username: 'service:attacker',
        password: apiKey,
      }),
    ).resolves.toBe(5);
    expect((await refused('too_many_sessions')) - tooMany).toBe(1);

    // One away: the next new session takes its place, the least recently used one.
    const evicted = await ended('evicted');
    await sessions[0].client.endAsync();
    await viewerSession(apiKey, 'many-3');
    expect((await ended('evicted')) - evicted).toBe(1);
    const resumed = await viewerSession(apiKey, 'many-1');
    expect(resumed.sessionPresent).toBe(true);
    // Another principal is not counted against it.
    const { key: otherKey } = await key('many-other');
    keep((await viewerSession(otherKey, 'other-0')).client);
    const revoked = await ended('revoked');
    await revokeKey(id);
    expect((await ended('revoked')) - revoked).toBe(3);
  });

  it('row 3: revoking the key deletes its sessions and what they queued', async () => {
    const created = await key('revoked');
    const { client } = await viewerSession(created.key, 'revoked-1');
    await client.endAsync();
    const before = await queued();
    await victimSends(5);
    await pollUntil(queued, (q) => q === before + 5);
    const revoked = await ended('revoked');
    expect((await revokeKey(created.id)).status).toBe(204);
    expect((await ended('revoked')) - revoked).toBe(1);
    expect(await queued()).toBe(before);
  });

  it('row 4: the victim’s client ids are refused (0x02) to everyone else; random ones work', async () => {
    const reserved = await refused('client_id_reserved');
    const mallory = { username: 'mallory', password: tokens.mallory, clean: false };
    for (const clientId of ['victim', 'victim-main', 'victim-a-b'])
      await expect(connackRefusal(port(), { ...mallory, clientId })).resolves.toBe(2);
    const { key: apiKey } = await key('ids');
    await expect(
      connackRefusal(port(), { clientId: 'victim-x', username: 'service:x', password: apiKey }),
    ).resolves.toBe(2);
    expect((await refused('client_id_reserved')) - reserved).toBe(4);

    keep(await connectDevice(port(), 'mallory', tokens.mallory, { clientId: 'mqttjs_5f3a9c' }));
    keep(await connectDevice(port(), 'mallory', tokens.mallory, { clientId: 'victimx' }));
    keep(await connectDevice(port(), 'victim', tokens.victim, { clientId: 'victim-backup' }));
    expect(victim.connected).toBe(true);
  });

  it("leaves the victim's session and telemetry alone", async () => {
    expect(victim.connected).toBe(true);
    const errors = collect(victim);
    await victim.publishAsync('devices/victim/telemetry', '{"temp": "hot"}', { qos: 1 });
    await pollUntil(
      () => errors,
      (e) => e.some((m) => m.topic === 'devices/victim/errors'),
    );
    const stored = await pollUntil(
      async () => (await gateway.http('/api/v1/devices/victim/telemetry?from=0')).body,
      (body) => body?.series?.length === sent,
    );
    expect(stored.series.length).toBe(sent);
    const closed = waitForClose(victim);
    victim.end();
    await closed;
    const back = await connectPersistent(port(), {
      clientId: 'victim',
      username: 'victim',
      password: tokens.victim,
    });
    keep(back.client);
    expect(back.sessionPresent).toBe(true);
  });

  describe('away past MQTT_SESSION_EXPIRY_S, and revoked devices', () => {
    let short: TestGateway;

    beforeAll(async () => {
      short = await startTestGateway({ MQTT_SESSION_EXPIRY_S: '2' });
    });
    afterAll(() => short?.close());

    const shortEnded = (reason: string) => metricValue(short, ENDED, `reason="${reason}"`);

    it('ends the session and frees its client id for another principal', async () => {
      const keys = await Promise.all(
        ['expiring', 'next'].map(
          async (name) =>
            (await short.http('/api/v1/keys', { method: 'POST', body: { name, role: 'viewer' } }))
              .body.key as string,
        ),
      );
      const as = (key: string) => ({ clientId: 'parked', username: 'service:v', password: key });
      const first = await connectPersistent(short.mqttPort, as(keys[0]));
      await first.client.subscribeAsync('devices/+/telemetry', { qos: 1 });
      const expired = await shortEnded('expired');
      await first.client.endAsync();
      await expect(connackRefusal(short.mqttPort, { ...as(keys[1]), clean: false })).resolves.toBe(
        2,
      );
      await pollUntil(
        () => shortEnded('expired'),
        (n) => n === expired + 1,
      );
      const taken = await connectPersistent(short.mqttPort, as(keys[1]));
      keep(taken.client);
      expect(taken.sessionPresent).toBe(false);
    });

    it("deletes a revoked device's persistent sessions", async () => {
      const { token } = (
        await short.http('/api/v1/devices', { method: 'POST', body: { id: 'doomed' } })
      ).body;
      const own = await connectPersistent(short.mqttPort, {
        clientId: 'doomed',
        username: 'doomed',
        password: token,
      });
      await own.client.subscribeAsync('devices/doomed/errors', { qos: 1 });
      const sessions = await metricValue(short, 'iag_mqtt_persistent_sessions');
      const revoked = await shortEnded('revoked');
      const closed = waitForClose(own.client);
      expect((await short.http('/api/v1/devices/doomed', { method: 'DELETE' })).status).toBe(204);
      await closed;
      expect((await shortEnded('revoked')) - revoked).toBe(1);
      expect(await metricValue(short, 'iag_mqtt_persistent_sessions')).toBe(sessions - 1);
    });
  });
});
