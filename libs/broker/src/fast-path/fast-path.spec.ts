import { MqttClient } from 'mqtt';
import { duplexPair } from '../../../../test/support/duplex-pair';
import { pollUntil } from '../../../../test/support/poll-until';
import { loadTopicAcl } from '../acl/acl-loader';
import type { Aedes, Client } from '../aedes.types';
import { loadAedes } from '../aedes.types';
import type { MqttPrincipal } from '../auth/mqtt-principal';
import type { TelemetrySink, TelemetrySinkResult } from '../broker.constants';
import { mqttLaneMessages } from '../broker.metrics';
import { PublishHooks } from '../hooks/publish.hooks';
import { TelemetryAdmission } from '../hooks/telemetry-admission';
import { TelemetryAudience } from '../hooks/telemetry-audience';
import { DeviceRateLimiter } from '../limits/device-rate-limiter';
import { SessionRegistry } from '../sessions/session-registry';
import { FastPath } from './fast-path';
import { WRITTEN_FOR } from './written-for';

const PRINCIPALS: Record<string, MqttPrincipal> = {
  d1: { kind: 'device', deviceId: 'd1', via: 'token' },
  viewer: { kind: 'service', keyId: 'k1', name: 'viewer', role: 'viewer' },
};

/** A sink that keeps what it is given, and refuses the messages `refuse` picks. */
class KeepingSink implements TelemetrySink {
  readonly payloads: string[] = [];
  refuse: (payload: string) => boolean = () => false;

  async accept(_deviceId: string, payload: Buffer): Promise<TelemetrySinkResult> {
    const text = payload.toString();
    if (this.refuse(text)) throw new Error('spool unavailable');
    this.payloads.push(text);
    return { accepted: 1, dropped: 0, notices: [] };
  }
}

/** A real aedes with the broker's own hooks, the fast path (or not) in front, and in-memory connections. */
async function broker(
  installed?: Record<'aedes' | 'mqtt-packet', string>,
  serverWritableHighWaterMark?: number,
) {
  const sink = new KeepingSink();
  const sessions = new SessionRegistry();
  const audience = new TelemetryAudience();
  const admission = new TelemetryAdmission(
    sink,
    new DeviceRateLimiter({ messagesPerSec: 0, bytesPerSec: 0 }),
    () => undefined,
  );
  const hooks = new PublishHooks(admission, audience, sessions, loadTopicAcl('default').acl);
  const parts = { hooks, admission, audience };
  const fastPath = installed ? FastPath.create(parts, installed) : FastPath.create(parts);
  const { Aedes } = await loadAedes();
  const aedes: Aedes = await Aedes.createBroker({
    authenticate: (client: Client, username: string | undefined, _password, done) => {
      sessions.identify(client, PRINCIPALS[username ?? '']);
      done(null, true);
    },
    authorizePublish: hooks.authorizePublish.bind(hooks),
    authorizeSubscribe: hooks.authorizeSubscribe.bind(hooks),
    concurrency: 0,
  });
  const handle = fastPath.wrap(aedes.handle);
  const clients: MqttClient[] = [];
  const connect = async (username: string) => {
    const client = new MqttClient(
      () => {
        const [server, device] = duplexPair(serverWritableHighWaterMark);
        handle(server);
        fastPath.attach(server);
        return device;
      },
      { clientId: `${username}-client`, username, protocolVersion: 4, reconnectPeriod: 0 },
    );
    clients.push(client);
    await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
    return client;
  };
  const close = async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await new Promise((resolve) => aedes.close(() => resolve(undefined)));
  };
  return { sink, fastPath, connect, close };
}

const laneCount = async (routed: 'true' | 'false') =>
  (await mqttLaneMessages.get()).values.find((v) => v.labels.routed === routed)?.value ?? 0;

const TOPIC = 'devices/d1/telemetry';
const readings = (n: number) => Array.from({ length: n }, (_, i) => `{"temp":${i}}`);

describe(FastPath.name, () => {
  let gateway: Awaited<ReturnType<typeof broker>> | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it('takes a session’s telemetry past aedes after its first message, each PUBACK after the sink has it', async () => {
    gateway = await broker();
    expect(gateway.fastPath.enabled).toBe(true);
    const device = await gateway.connect('d1');
    const before = await laneCount('false');
    // Sent without waiting: one burst, read by aedes in bounded slices.
    await Promise.all(readings(200).map((r) => device.publishAsync(TOPIC, r, { qos: 1 })));
    expect(gateway.sink.payloads).toEqual(readings(200)); // every one acknowledged was kept, in order
    expect((await laneCount('false')) - before).toBe(199); // all but the first; nobody subscribed
  });

  it('waits for a full socket to drain before taking the next packet, losing none', async () => {
    gateway = await broker(undefined, 1); // every write of the broker reports a full buffer
    const device = await gateway.connect('d1');
    const before = await laneCount('false');
    await Promise.all(readings(50).map((r) => device.publishAsync(TOPIC, r, { qos: 1 })));
    expect(gateway.sink.payloads).toEqual(readings(50));
    expect((await laneCount('false')) - before).toBe(49);
  });

  it('routes lane messages to a subscriber allowed to see them', async () => {
    gateway = await broker();
    const viewer = await gateway.connect('viewer');
    const seen: string[] = [];
    viewer.on('message', (_topic, payload) => seen.push(payload.toString()));
    await viewer.subscribeAsync('devices/+/telemetry', { qos: 1 });
    const device = await gateway.connect('d1');
    const before = await laneCount('true');
    for (const r of readings(20)) await device.publishAsync(TOPIC, r, { qos: 1 });
    await pollUntil(
      () => seen.length,
      (n) => n === 20,
    );
    expect(seen).toEqual(readings(20));
    expect((await laneCount('true')) - before).toBe(19);
  });

  it('closes the connection without a PUBACK when the sink refuses a message', async () => {
    gateway = await broker();
    const device = await gateway.connect('d1');
    await device.publishAsync(TOPIC, '{"temp":1}', { qos: 1 }); // through aedes
    gateway.sink.refuse = (payload) => payload.includes('"temp":2');
    const closed = new Promise((resolve) => device.once('close', () => resolve(undefined)));
    let acknowledged = false;
    device.publish(TOPIC, '{"temp":2}', { qos: 1 }, (error) => (acknowledged = !error));
    await closed;
    expect(acknowledged).toBe(false);
    expect(gateway.sink.payloads).toEqual(['{"temp":1}']);
  });

  it('stays out of the way with other aedes or mqtt-packet releases: plain aedes, still correct', async () => {
    gateway = await broker({ aedes: '2.0.0-beta.1', 'mqtt-packet': '9.0.2' });
    expect(gateway.fastPath.enabled).toBe(false);
    expect(gateway.fastPath.fallbackReason).toBe(
      `aedes 2.0.0-beta.1 installed, the telemetry fast path was written for aedes ${WRITTEN_FOR.aedes}.x`,
    );
    const device = await gateway.connect('d1');
    const before = await laneCount('false');
    await Promise.all(readings(50).map((r) => device.publishAsync(TOPIC, r, { qos: 1 })));
    expect(gateway.sink.payloads).toEqual(readings(50));
    expect(await laneCount('false')).toBe(before);
  });

  it('names every library that is not a release it was written for, or missing', () => {
    const parts = {} as Parameters<typeof FastPath.create>[0];
    const fastPath = FastPath.create(parts, { aedes: '1.3.0', 'mqtt-packet': undefined });
    expect(fastPath.fallbackReason).toBe(
      'aedes 1.3.0, mqtt-packet (not found) installed, the telemetry fast path was written for aedes 1.2.x, mqtt-packet 9.0.x',
    );
    expect(FastPath.create(parts).enabled).toBe(true); // what is installed here
  });
});
