import fc from 'fast-check';
import { MqttClient } from 'mqtt';
import { pollUntil } from '../support/poll-until';
import { collect, connectDevice, RawSession } from '../support/mqtt-clients';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

/** Hostile connections come from their own loopback addresses, so the throttle and cap see them apart. */
const ATTACKER = '127.0.0.66';
const MiB = 1024 * 1024;

describe('Hostile MQTT input', () => {
  let gateway: TestGateway;
  let steady: MqttClient;
  let echoes: Array<{ topic: string; payload: string }>;
  let token: string;
  let sent = 0;

  /** The well-behaved device still gets its publishes through, end to end. */
  async function stillServes(): Promise<void> {
    const value = ++sent;
    await steady.publishAsync('devices/steady-1/telemetry', JSON.stringify({ n: value }), {
      qos: 1,
    });
    await pollUntil(
      () => echoes,
      (e) => e.some((m) => JSON.parse(m.payload).n === value),
    );
  }

  const violations = (reason: string) =>
    metricValue(gateway, 'iag_mqtt_protocol_violations_total', `reason="${reason}"`);

  /** A connected raw session of the victim device's own credentials, from the attacker address. */
  async function rawDevice(keepalive = 30): Promise<RawSession> {
    const session = new RawSession(gateway.mqttPort, ATTACKER).connect({
      username: 'rogue-1',
      password: Buffer.from(rogueToken),
      keepalive,
    });
    expect(await session.next('connack')).toMatchObject({ returnCode: 0 });
    return session;
  }
  let rogueToken: string;

  beforeAll(async () => {
    gateway = await startTestGateway({
      MQTT_CONNECT_TIMEOUT_MS: '500',
      MQTT_MAX_SUBSCRIPTIONS: '50',
      MQTT_AUTH_DELAY_MS: '5',
      MQTT_AUTH_DELAY_MAX_MS: '20',
      MQTT_MAX_CONNECTIONS_PER_IP: '200',
    });
    token = (await gateway.http('/api/v1/devices', { method: 'POST', body: { id: 'steady-1' } }))
      .body.token;
    rogueToken = (
      await gateway.http('/api/v1/devices', { method: 'POST', body: { id: 'rogue-1' } })
    ).body.token;
    steady = await connectDevice(gateway.mqttPort, 'steady-1', token);
    echoes = collect(steady);
    await steady.subscribeAsync('devices/steady-1/telemetry', { qos: 1 });
    await stillServes();
  });

  afterAll(async () => {
    steady?.end(true);
    await gateway?.close();
  });

  it('closes connections that send random bytes instead of MQTT', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
        const session = new RawSession(gateway.mqttPort, ATTACKER).write(bytes);
        // Garbage is refused at once; a prefix that looks like a CONNECT header waits for the connect timeout.
        await session.closedWithin(5000);
        return !session.received.some((p) => p.cmd === 'connack' && p.returnCode === 0);
      }),
      { numRuns: 60 },
    );
    await stillServes();
  });

  it('closes a truncated CONNECT after the connect timeout (MQTT_CONNECT_TIMEOUT_MS)', async () => {
    const session = new RawSession(gateway.mqttPort, ATTACKER);
    const whole = Buffer.from(
      (await import('mqtt-packet')).generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: 'half',
        clean: true,
        keepalive: 30,
        username: 'rogue-1',
        password: Buffer.from(rogueToken),
      }),
    );
    session.write(whole.subarray(0, Math.floor(whole.length / 2)));
    await session.closedWithin(5000);
    expect(session.received).toEqual([]);
    await stillServes();
  });

  it('closes a session that stops halfway through a PUBLISH, at the keep-alive limit', async () => {
    const session = await rawDevice(1);
    // Announces 100 bytes, sends 10, then nothing: the 1.5 x keep-alive rule (MQTT-3.1.2-24) ends it.
    session.write(Buffer.from([0x30, 100, 0, 25, ...Buffer.from('devices/r')]));
    await session.closedWithin(5000);
    await stillServes();
  });

  it('closes a connection announcing a packet larger than the limit before the body arrives', async () => {
    const before = await violations('packet_too_large');
    const preConnect = new RawSession(gateway.mqttPort, ATTACKER).write(
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]),
    );
    await preConnect.closedWithin(5000);
    const connected = await rawDevice();
    connected.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f, 0x00]));
    await connected.closedWithin(5000);
    expect(await violations('packet_too_large')).toBe(before + 2);
    const malformed = new RawSession(gateway.mqttPort, ATTACKER).write(
      Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]),
    );
    await malformed.closedWithin(5000);
    await stillServes();
  });

  it('closes a session that SUBSCRIBEs to thousands of topic filters', async () => {
    const before = await violations('too_many_subscriptions');
    const session = await rawDevice();
    const subscriptions = Array.from({ length: 5000 }, (_, i) => ({
      topic: `devices/rogue-1/f${i}`,
      qos: 0 as const,
    }));
    session.write({ cmd: 'subscribe', messageId: 1, subscriptions });
    await session.closedWithin(5000);
    expect(session.received.some((p) => p.cmd === 'suback')).toBe(false);
    expect(await violations('too_many_subscriptions')).toBe(before + 1);
    await stillServes();
  });

  it.each([
    [
      'SUBSCRIBE',
      {
        cmd: 'subscribe',
        messageId: 2,
        subscriptions: [{ topic: `devices/rogue-1/${'a/'.repeat(500)}x`, qos: 0 }],
      },
    ],
    [
      'PUBLISH',
      {
        cmd: 'publish',
        topic: `devices/rogue-1/${'a/'.repeat(500)}x`,
        payload: Buffer.from('1'),
        qos: 0,
        dup: false,
        retain: false,
      },
    ],
  ] as const)(
    'closes a session that sends a %s with hundreds of topic levels',
    async (_kind, packet) => {
      const session = await rawDevice();
      session.write(packet as never);
      await session.closedWithin(5000);
      await stillServes();
    },
  );

  it('survives a CONNECT flood with memory bounded, and keeps serving others', async () => {
    const before = process.memoryUsage();
    let refused = 0;
    for (let round = 0; round < 3; round++) {
      const sessions = Array.from({ length: 100 }, (_, i) =>
        new RawSession(gateway.mqttPort, ATTACKER).connect({
          clientId: `flood-${round}-${i}`,
          username: `flood-${i % 7}`,
          password: Buffer.from('not-a-token'),
        }),
      );
      await Promise.all(sessions.map((s) => s.closedWithin(20_000)));
      refused += sessions.filter((s) =>
        s.received.some((p) => p.cmd === 'connack' && p.returnCode === 4),
      ).length;
    }
    const after = process.memoryUsage();
    const grown = {
      heapMiB: (after.heapUsed - before.heapUsed) / MiB,
      rssMiB: (after.rss - before.rss) / MiB,
    };
    process.stdout.write(
      `CONNECT flood: 300 bad CONNECTs, ${refused} answered 0x04; heap +${grown.heapMiB.toFixed(1)} MiB, rss +${grown.rssMiB.toFixed(1)} MiB\n`,
    );
    expect(refused).toBeGreaterThan(0);
    expect(grown.heapMiB).toBeLessThan(64);
    expect(
      await metricValue(gateway, 'iag_mqtt_connect_throttled_total', 'scope="address"'),
    ).toBeGreaterThan(0);
    await stillServes();
  });

  it('never lets one session hold more than the packet limit in the parser (memory check)', async () => {
    const before = process.memoryUsage().heapUsed;
    const sessions = await Promise.all(Array.from({ length: 20 }, () => rawDevice()));
    // Each announces a 96 KiB publish (within the 128 KiB limit) and sends 60 KiB of it, then stalls.
    const header = Buffer.from([0x30, 0x80, 0x80, 0x06]); // Remaining Length 6 * 128 * 128 = 98304
    for (const s of sessions) s.write(Buffer.concat([header, Buffer.alloc(60 * 1024, 0x20)]));
    await stillServes();
    const grownMiB = (process.memoryUsage().heapUsed - before) / MiB;
    process.stdout.write(`20 stalled 96 KiB publishes: heap +${grownMiB.toFixed(1)} MiB\n`);
    expect(grownMiB).toBeLessThan(64);
    sessions.forEach((s) => s.destroy());
  });
});
