import { AddressInfo, createServer, Server } from 'node:net';
import mqtt, { MqttClient } from 'mqtt';
import type { Aedes, AedesOptions, Client } from '../../../libs/broker/src/aedes.types';
import { loadAedes } from '../../../libs/broker/src/aedes.types';
import type { MqttPrincipal } from '../../../libs/broker/src/auth/mqtt-principal';
import { TelemetryAudience } from '../../../libs/broker/src/hooks/telemetry-audience';
import { SessionKeeper } from '../../../libs/broker/src/sessions/session-keeper';
import { SessionRegistry } from '../../../libs/broker/src/sessions/session-registry';
import { pollUntil } from '../../support/poll-until';
import { RawSession } from '../../support/mqtt-clients';

const VIEWER: MqttPrincipal = { kind: 'service', keyId: 'k1', name: 'viewer', role: 'viewer' };

/**
 * The session keeper on the real aedes (the library it extends), with real mqtt clients over
 * TCP: every session is the viewer key, as the attack has it.
 */
async function brokerWith(settings: { maxQueuedMessages: number; expiryMs: number }) {
  const registry = new SessionRegistry();
  const keeper = new SessionKeeper(
    { maxPerPrincipal: 4, ...settings },
    registry,
    new TelemetryAudience(),
  );
  const { Aedes } = await loadAedes();
  const aedes = await Aedes.createBroker({
    persistence: keeper.store.persistence as AedesOptions['persistence'],
    authenticate: (client, _u, _p, done) => {
      registry.identify(client, VIEWER);
      done(null, client.clean || keeper.admit(client.id, VIEWER));
    },
  });
  aedes.on('clientReady', (client: Client) => (registry.attach(client), keeper.ready(client)));
  aedes.on('clientDisconnect', (client: Client) => (registry.detach(client), keeper.gone(client)));
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { aedes, keeper, server, port: (server.address() as AddressInfo).port };
}

const publish = (aedes: Aedes, n: number) =>
  new Promise<void>((resolve, reject) =>
    aedes.publish(
      {
        cmd: 'publish',
        topic: 'devices/d1/telemetry',
        payload: Buffer.from(JSON.stringify({ n })),
        qos: 1,
        retain: false,
        dup: false,
      },
      (error) => (error ? reject(error) : resolve()),
    ),
  );

describe(SessionKeeper.name, () => {
  let broker: Awaited<ReturnType<typeof brokerWith>> | undefined;
  const clients: MqttClient[] = [];

  const persistent = (port: number, clientId = 'viewer-1') =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.end(true));
    if (!broker) return;
    broker.keeper.close();
    await new Promise<void>((resolve) => broker!.aedes.close(() => resolve()));
    broker.server.close();
    broker = undefined;
  });

  it("keeps the newest MQTT_MAX_QUEUED_MESSAGES of a session that is away, and sends them when it's back", async () => {
    broker = await brokerWith({ maxQueuedMessages: 4, expiryMs: 60_000 });
    const first = await persistent(broker.port);
    await first.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await first.endAsync();
    for (let n = 1; n <= 10; n++) await publish(broker.aedes, n);
    expect(broker.keeper.store.queuedMessages()).toBe(4);

    const back = await persistent(broker.port);
    clients.push(back);
    const got: number[] = [];
    back.on('message', (_topic, payload) => got.push(JSON.parse(payload.toString()).n));
    await pollUntil(
      () => got,
      (g) => g.length >= 4,
    );
    expect(got).toEqual([7, 8, 9, 10]);
    await pollUntil(
      () => broker!.keeper.store.queuedMessages(),
      (q) => q === 0,
    );
  });

  it('keeps a connected session that does not acknowledge, bounded, instead of closing it', async () => {
    broker = await brokerWith({ maxQueuedMessages: 3, expiryMs: 60_000 });
    // A raw session never sends PUBACK: everything delivered to it stays unacknowledged.
    const raw = new RawSession(broker.port).connect({ clientId: 'slow-reader', clean: false });
    await raw.next('connack');
    raw.write({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: 'devices/+/telemetry', qos: 1 }],
    });
    await raw.next('suback');
    for (let n = 1; n <= 8; n++) await publish(broker.aedes, n);
    await pollUntil(
      () => raw.received.filter((p) => p.cmd === 'publish').length,
      (count) => count === 8,
    );
    expect(raw.isClosed).toBe(false);
    expect(broker.keeper.store.queuedMessages()).toBe(3);
    raw.destroy();
  });

  it('ends a session away past the expiry: no subscriptions, no queue, no session present', async () => {
    broker = await brokerWith({ maxQueuedMessages: 100, expiryMs: 300 });
    const first = await persistent(broker.port);
    await first.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await first.endAsync();
    await publish(broker.aedes, 1);
    expect(broker.keeper.store.queuedMessages()).toBe(1);
    await pollUntil(
      () => broker!.keeper.store.queuedMessages(),
      (q) => q === 0,
    );
    const subscriptions = await broker.keeper.store.persistence.subscriptionsByClient({
      id: 'viewer-1',
    });
    expect(subscriptions).toEqual([]);
    await publish(broker.aedes, 2); // nobody subscribes any more: nothing is queued
    expect(broker.keeper.store.queuedMessages()).toBe(0);

    const back = new RawSession(broker.port).connect({ clientId: 'viewer-1', clean: false });
    expect(await back.next('connack')).toMatchObject({ returnCode: 0, sessionPresent: false });
    back.destroy();
  });
});
