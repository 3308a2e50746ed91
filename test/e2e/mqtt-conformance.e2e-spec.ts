import { MqttClient } from 'mqtt';
import { pollUntil } from '../support/poll-until';
import {
  collect,
  connackRefusal,
  connectDevice,
  rawConnack,
  RawSession,
  subscribeGranted,
  waitForClose,
} from '../support/mqtt-clients';
import { startTestGateway, TestGateway } from '../support/test-gateway';

/** MQTT 3.1.1 (OASIS) where aedes leaves the decision to the gateway; each test names its clause. */
describe('MQTT 3.1.1 conformance', () => {
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};
  const clients: MqttClient[] = [];

  async function connect(id: string, options = {}): Promise<MqttClient> {
    const client = await connectDevice(gateway.mqttPort, id, tokens[id], options);
    clients.push(client);
    return client;
  }

  const raw = (id: string, fields = {}) =>
    new RawSession(gateway.mqttPort).connect({
      username: id,
      password: Buffer.from(tokens[id]),
      ...fields,
    });

  beforeAll(async () => {
    gateway = await startTestGateway();
    for (const id of ['c-a', 'c-b', 'c-will', 'c-ret']) {
      tokens[id] = (
        await gateway.http('/api/v1/devices', { method: 'POST', body: { id } })
      ).body.token;
    }
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  describe('CONNECT', () => {
    it('MQTT-3.1.0-1: closes a connection whose first packet is not CONNECT', async () => {
      const session = new RawSession(gateway.mqttPort).write({
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [{ topic: 'x', qos: 0 }],
      });
      await session.closedWithin();
      expect(session.received).toEqual([]);
    });

    it('MQTT-3.1.0-2: closes a session that sends a second CONNECT', async () => {
      const session = raw('c-a');
      await session.next('connack');
      session.connect({ username: 'c-a', password: Buffer.from(tokens['c-a']) });
      await session.closedWithin();
    });

    it('MQTT-3.1.3-5: accepts a 23-character alphanumeric client id', async () => {
      const client = await connect('c-a', { clientId: 'A1b2C3d4E5f6G7h8I9j0K1l' });
      expect(client.connected).toBe(true);
    });

    it('MQTT-3.1.3-6: assigns an id to a zero-byte client id with CleanSession=1', async () => {
      await expect(
        rawConnack(gateway.mqttPort, { username: 'c-a', password: Buffer.from(tokens['c-a']) }),
      ).resolves.toBe(0);
    });

    it('MQTT-3.1.3-9: refuses (0x02) a client id held by another device, leaving its session alone', async () => {
      const a = await connect('c-a', { clientId: 'shared-id' });
      await expect(
        connackRefusal(gateway.mqttPort, {
          username: 'c-b',
          password: tokens['c-b'],
          clientId: 'shared-id',
        }),
      ).resolves.toBe(2);
      expect(a.connected).toBe(true);
    });

    it('MQTT-3.1.4-2: lets the same device take over its own client id, closing the old session', async () => {
      const first = await connect('c-b', { clientId: 'b-main' });
      const closed = waitForClose(first);
      const second = await connect('c-b', { clientId: 'b-main' });
      await closed;
      expect(second.connected).toBe(true);
    });

    it('MQTT-3.2.2-4, MQTT-3.2.2-5: a refused CONNECT has Session Present 0 and is closed', async () => {
      const session = new RawSession(gateway.mqttPort).connect({
        username: 'c-a',
        password: Buffer.from('wrong'),
        clean: false,
        clientId: 'persist-1',
      });
      expect(await session.next('connack')).toMatchObject({ returnCode: 4, sessionPresent: false });
      await session.closedWithin();
    });
  });

  describe('will messages', () => {
    it('MQTT-3.1.2-8: refuses (0x05) a will on a topic the device may not publish', async () => {
      await expect(
        connackRefusal(gateway.mqttPort, {
          username: 'c-will',
          password: tokens['c-will'],
          will: {
            topic: 'devices/c-a/telemetry',
            payload: Buffer.from('{"temp": 1}'),
            qos: 1,
            retain: false,
          },
        }),
      ).resolves.toBe(5);
      await expect(
        connackRefusal(gateway.mqttPort, {
          username: 'c-will',
          password: tokens['c-will'],
          will: {
            topic: 'devices/c-will/telemetry',
            payload: Buffer.from('{"temp": 1}'),
            qos: 2,
            retain: false,
          },
        }),
      ).resolves.toBe(5);
    });

    it('MQTT-3.1.2-8: publishes an allowed will when the connection drops', async () => {
      const session = raw('c-will', {
        will: {
          topic: 'devices/c-will/telemetry',
          payload: Buffer.from('{"lastGasp": 1}'),
          qos: 1,
          retain: false,
        },
      });
      expect(await session.next('connack')).toMatchObject({ returnCode: 0 });
      session.destroy(); // no DISCONNECT: the will goes out
      const stored = await pollUntil(
        () => gateway.http('/api/v1/devices/c-will/telemetry?from=0'),
        (r) => r.body?.series?.length === 1,
      );
      expect(stored.body.series[0].values.lastGasp).toBe(1);
    });
  });

  describe('PUBLISH', () => {
    it('MQTT-3.3.5-2: closes the connection of a PUBLISH it does not authorize (no negative PUBACK)', async () => {
      const a = await connect('c-a');
      const closed = waitForClose(a);
      a.publish('devices/c-b/telemetry', '{"temp": 1}', { qos: 1 });
      await closed;
    });

    it('MQTT-3.3.5-2: closes the connection of a QoS 2 PUBLISH (telemetry is QoS 0 or 1)', async () => {
      const a = await connect('c-a');
      const closed = waitForClose(a);
      a.publish('devices/c-a/telemetry', '{"temp": 1}', { qos: 2 });
      await closed;
    });

    it('MQTT-3.3.2-2: closes the connection of a PUBLISH whose topic has a wildcard', async () => {
      const session = raw('c-a');
      await session.next('connack');
      session.write({
        cmd: 'publish',
        topic: 'devices/+/telemetry',
        payload: Buffer.from('{}'),
        qos: 0,
        dup: false,
        retain: false,
      });
      await session.closedWithin();
    });
  });

  describe('retained messages', () => {
    it('MQTT-3.3.1-5, MQTT-3.3.1-6, MQTT-3.3.1-8: keeps a retained reading and sends it to new subscribers with RETAIN set', async () => {
      const dev = await connect('c-ret');
      await dev.publishAsync('devices/c-ret/telemetry', '{"temp": 5}', { qos: 1, retain: true });
      const later = await connect('c-ret');
      const packets: Array<{ retain: boolean; payload: string }> = [];
      later.on('message', (_t, payload, packet) =>
        packets.push({ retain: packet.retain, payload: payload.toString() }),
      );
      await later.subscribeAsync('devices/c-ret/telemetry', { qos: 1 });
      const got = await pollUntil(
        () => packets,
        (p) => p.length >= 1,
      );
      expect(got[0]).toEqual({ retain: true, payload: '{"temp": 5}' });
    });

    it('MQTT-3.3.1-10, MQTT-3.3.1-11: a zero-byte retained PUBLISH clears it and is not a bad reading', async () => {
      const dev = await connect('c-ret');
      const errors = collect(dev);
      await dev.subscribeAsync('devices/c-ret/errors', { qos: 1 });
      await dev.publishAsync('devices/c-ret/telemetry', '', { qos: 1, retain: true });
      const later = await connect('c-ret');
      const seen = collect(later);
      await later.subscribeAsync('devices/c-ret/telemetry', { qos: 1 });
      // Nothing retained any more: the first message it sees is a fresh one.
      await dev.publishAsync('devices/c-ret/telemetry', '{"temp": 6}', { qos: 1 });
      const got = await pollUntil(
        () => seen,
        (s) => s.length >= 1,
      );
      expect(got[0].payload).toBe('{"temp": 6}');
      expect(errors).toEqual([]);
    });

    it('MQTT-3.3.5-2: a retained PUBLISH to a topic the device may not use is refused and not retained', async () => {
      const a = await connect('c-a');
      const closed = waitForClose(a);
      a.publish('devices/c-b/telemetry', '{"temp": 66}', { qos: 1, retain: true });
      await closed;
      const b = await connect('c-b');
      const seen = collect(b);
      await b.subscribeAsync('devices/c-b/telemetry', { qos: 1 });
      await b.publishAsync('devices/c-b/telemetry', '{"temp": 7}', { qos: 1 });
      const got = await pollUntil(
        () => seen,
        (s) => s.length >= 1,
      );
      expect(got[0].payload).toBe('{"temp": 7}');
    });
  });

  describe('SUBSCRIBE', () => {
    it('MQTT-3.8.4-5, MQTT-3.9.3-1: one return code per filter, in order, 0x80 for the refused ones', async () => {
      const a = await connect('c-a');
      expect(
        await subscribeGranted(
          a,
          ['devices/c-b/#', 'devices/c-a/errors', 'alerts/#', 'devices/c-a/+'],
          1,
        ),
      ).toEqual([128, 1, 128, 1]);
    });

    it('MQTT-3.8.4-6: delivers at the lower of the published and granted QoS', async () => {
      const low = await connect('c-a');
      const high = await connect('c-a');
      const seenLow: number[] = [];
      const seenHigh: number[] = [];
      low.on('message', (_t, _p, packet) => seenLow.push(packet.qos));
      high.on('message', (_t, _p, packet) => seenHigh.push(packet.qos));
      expect(await subscribeGranted(low, ['devices/c-a/telemetry'], 0)).toEqual([0]);
      expect(await subscribeGranted(high, ['devices/c-a/telemetry'], 2)).toEqual([2]);
      const dev = await connect('c-a');
      await dev.publishAsync('devices/c-a/telemetry', '{"temp": 1}', { qos: 1 });
      await pollUntil(
        () => seenLow.length + seenHigh.length,
        (n) => n >= 2,
      );
      expect(seenLow).toEqual([0]);
      expect(seenHigh).toEqual([1]);
    });

    it('MQTT-4.7.1-2: closes the connection of a SUBSCRIBE with a misplaced #', async () => {
      const session = raw('c-a');
      await session.next('connack');
      session.write({
        cmd: 'subscribe',
        messageId: 3,
        subscriptions: [{ topic: 'devices/#/x', qos: 0 }],
      });
      await session.closedWithin();
    });
  });
});
