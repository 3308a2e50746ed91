import { BrokerService } from '@iag/broker';
import { GatewayConfig } from '@iag/config';
import { ManagedInfluxd } from '@iag/storage';
import mqtt, { MqttClient } from 'mqtt';
import { connect, Socket } from 'node:net';
import * as mqttPacket from 'mqtt-packet';
import { dedicatedInfluxd } from '../support/dedicated-influxd';
import { influxQuery } from '../support/influx';
import { pollUntil } from '../support/poll-until';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

const T0 = Date.now() - 3_600_000;

function anonymous(port: number, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
}

/** A subscriber on other/# that never reads again after its SUBACK: its socket fills up. */
function frozenSubscriber(port: number, qos: 0 | 1): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const packets = [
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'frozen',
      clean: true,
      keepalive: 0,
    },
    { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'other/#', qos }] },
  ] as const;
  for (const packet of packets) socket.write(mqttPacket.generate(packet as mqttPacket.Packet));
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  return new Promise((resolve) => {
    parser.on('packet', (packet) => {
      if (packet.cmd !== 'suback') return;
      socket.removeAllListeners('data');
      socket.pause();
      resolve(socket);
    });
    socket.on('data', (data) => parser.parse(data));
  });
}

/** 1000 readings (~30 KB): a message that fills a 1 MiB spool in a few dozen. */
const bigBatch = (i: number) =>
  JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ ts: T0 + i * 1000 + j, v: j })));

describe('Overload', () => {
  let gateway: TestGateway | undefined;
  let influxd: ManagedInfluxd | undefined;
  const clients: MqttClient[] = [];
  const open = async (clientId: string) => {
    const client = await anonymous(gateway!.mqttPort, clientId);
    clients.push(client);
    return client;
  };

  let frozen: Socket | undefined;

  afterEach(async () => {
    frozen?.destroy();
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
    await gateway?.close();
    await influxd?.stop();
    gateway = influxd = undefined;
  });

  it('holds QoS 1 without a PUBACK and drops QoS 0 (counted) while the spool is full', async () => {
    const dedicated = await dedicatedInfluxd('full', false);
    gateway = await startTestGateway({
      ...dedicated.env,
      SPOOL_MAX_BYTES: '1048576',
      ALLOW_ANONYMOUS_DEVICES: 'true',
      DEVICE_MAX_BYTES_PER_SEC: '0',
    });
    const big = await open('big');
    let acked = 0;
    const publishes = Array.from({ length: 60 }, (_, i) =>
      big.publishAsync('devices/big/telemetry', bigBatch(i), { qos: 1 }).then(() => acked++),
    );
    const full = await pollUntil(
      () => gateway!.http('/ready', { key: null }),
      (r) => r.body?.checks.writer.spool.waiting >= 1,
    );
    const { spool } = full.body.checks.writer;
    expect(spool.full).toBe(true);
    expect(spool.bytes).toBeLessThanOrEqual(1048576);
    // exactly the spooled messages were acknowledged; the held ones were not
    expect(
      await pollUntil(
        () => acked,
        (n) => n === spool.readings / 1000,
      ),
    ).toBeLessThan(60);

    const small = await open('small');
    await small.publishAsync('devices/small/telemetry', bigBatch(0), { qos: 0 });
    await pollUntil(
      () => metricValue(gateway!, 'iag_readings_dropped_total', 'reason="spool_full"'),
      (n) => n >= 1000,
    );

    influxd = dedicated.influxd;
    await influxd.start();
    await Promise.all(publishes);
    const database = gateway.app.get(GatewayConfig).influx.database;
    const count = async () =>
      (
        await influxQuery(
          database,
          `SELECT count(v) FROM telemetry WHERE device_id = 'big'`,
          dedicated.target,
        )
      )[0]?.count;
    expect(await pollUntil(count, (n) => n === 60_000, { timeoutMs: 30_000 })).toBe(60_000);
  }, 90_000);

  it('closes connections past MQTT_MAX_CONNECTIONS before any MQTT is read', async () => {
    gateway = await startTestGateway({ MQTT_ACL: 'open', MQTT_MAX_CONNECTIONS: '2' });
    const first = await open('c1');
    await open('c2');
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(gateway!.mqttPort, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.once('data', () => resolve(false));
      socket.once('close', () => resolve(true));
    });
    expect(refused).toBe(true);
    expect(
      await metricValue(gateway, 'iag_mqtt_connect_refused_total', 'reason="connection_limit"'),
    ).toBe(1);
    await first.endAsync();
    await pollUntil(() => open('c3').then(() => true));
  });

  it('holds a device over DEVICE_MAX_MESSAGES_PER_SEC back instead of refusing it', async () => {
    gateway = await startTestGateway({ MQTT_ACL: 'open', DEVICE_MAX_MESSAGES_PER_SEC: '5' });
    const device = await open('chatty');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        device.publishAsync('devices/chatty/telemetry', JSON.stringify({ ts: T0 + i, v: i }), {
          qos: 1,
        }),
      ),
    );
    expect(await metricValue(gateway, 'iag_mqtt_throttled_total')).toBeGreaterThanOrEqual(15);
    expect(await metricValue(gateway, 'iag_readings_accepted_total')).toBeGreaterThanOrEqual(20);
  });

  const payload = Buffer.alloc(60_000, 'x');
  const unlimited = {
    MQTT_ACL: 'open',
    DEVICE_MAX_MESSAGES_PER_SEC: '0',
    DEVICE_MAX_BYTES_PER_SEC: '0',
  };

  it('does not let a frozen QoS 0 subscriber hold publishers back', async () => {
    gateway = await startTestGateway({ ...unlimited, MQTT_DRAIN_TIMEOUT_MS: '600000' });
    frozen = await frozenSubscriber(gateway.mqttPort, 0);
    const publisher = await open('publisher');
    for (let i = 0; i < 300; i++) publisher.publish('other/x', payload, { qos: 0 });
    // aedes handles one connection's packets in order: this PUBACK comes after all 300 went by
    await publisher.publishAsync('other/x', 'last', { qos: 1 });
    expect(
      await metricValue(gateway, 'iag_mqtt_forwards_dropped_total', 'reason="slow_subscriber"'),
    ).toBeGreaterThan(0);
    expect(gateway.app.get(BrokerService).connectionCount()).toBe(2);
  });

  it('disconnects a frozen QoS 1 subscriber after MQTT_DRAIN_TIMEOUT_MS, and publishers go on', async () => {
    gateway = await startTestGateway({ ...unlimited, MQTT_DRAIN_TIMEOUT_MS: '500' });
    frozen = await frozenSubscriber(gateway.mqttPort, 1);
    const publisher = await open('publisher');
    for (let i = 0; i < 300; i++) await publisher.publishAsync('other/x', payload, { qos: 1 });
    await pollUntil(
      () => gateway!.app.get(BrokerService).connectionCount(),
      (n) => n === 1,
    );
  });
});
