import { pollUntil } from '../support/poll-until';
import { connackRefusal, connectDevice, RawSession, waitForClose } from '../support/mqtt-clients';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

describe('MQTT credentials: rotation, throttling, per-address cap', () => {
  let gateway: TestGateway;
  const tokens: Record<string, string> = {};

  async function provision(id: string): Promise<string> {
    const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id } });
    expect(created.status).toBe(201);
    return (tokens[id] = created.body.token);
  }

  /** A CONNECT from a chosen loopback address; resolves with the CONNACK code, or -1 when closed without one. */
  async function rawConnack(from: string, username: string, password: string): Promise<number> {
    const session = new RawSession(gateway.mqttPort, from).connect({
      username,
      password: Buffer.from(password),
    });
    try {
      await Promise.race([session.next('connack'), session.closed]);
      const connack = session.received.find((p) => p.cmd === 'connack') as
        { returnCode?: number } | undefined;
      return connack?.returnCode ?? -1;
    } finally {
      session.destroy();
    }
  }

  const metric = (name: string, labels = '') => metricValue(gateway, name, labels);

  beforeAll(async () => {
    gateway = await startTestGateway({
      MQTT_AUTH_DELAY_MS: '10',
      MQTT_AUTH_DELAY_MAX_MS: '40',
      MQTT_MAX_CONNECTIONS_PER_IP: '3',
    });
    await provision('rot-1');
    await provision('guessed-1');
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses the old token at once after rotation, and accepts the new one', async () => {
    // Connect first, so the old token's successful check is cached.
    const live = await connectDevice(gateway.mqttPort, 'rot-1', tokens['rot-1']);
    const closed = waitForClose(live);
    const rotated = await gateway.http('/api/v1/devices/rot-1/token', { method: 'POST' });
    expect(rotated.status).toBe(200);
    await closed;
    await expect(
      connackRefusal(gateway.mqttPort, { username: 'rot-1', password: tokens['rot-1'] }),
    ).resolves.toBe(4);
    const fresh = await connectDevice(gateway.mqttPort, 'rot-1', rotated.body.token);
    expect(fresh.connected).toBe(true);
    fresh.end(true);
  });

  it('delays CONNECTs for a device id after repeated failures, from any address, and counts them', async () => {
    const failuresBefore = await metric('iag_mqtt_connect_failures_total', 'scope="device"');
    const throttledBefore = await metric('iag_mqtt_connect_throttled_total', 'scope="device"');
    const addresses = [
      '127.0.0.11',
      '127.0.0.12',
      '127.0.0.13',
      '127.0.0.14',
      '127.0.0.15',
      '127.0.0.16',
    ];
    for (const from of addresses)
      expect(await rawConnack(from, 'guessed-1', 'wrong-guess')).toBe(4);
    expect(await metric('iag_mqtt_connect_failures_total', 'scope="device"')).toBe(
      failuresBefore + 6,
    );
    // Three failures are forgiven; the attempts after the 4th and 5th failures were held back.
    expect(await metric('iag_mqtt_connect_throttled_total', 'scope="device"')).toBe(
      throttledBefore + 2,
    );
    // The right token still gets in (held back too), and clears the device's count.
    expect(await rawConnack('127.0.0.17', 'guessed-1', tokens['guessed-1'])).toBe(0);
    expect(await metric('iag_mqtt_connect_throttled_total', 'scope="device"')).toBe(
      throttledBefore + 3,
    );
    expect(await rawConnack('127.0.0.17', 'guessed-1', tokens['guessed-1'])).toBe(0);
    expect(await metric('iag_mqtt_connect_throttled_total', 'scope="device"')).toBe(
      throttledBefore + 3,
    );
  });

  it('delays CONNECTs from an address after repeated failures, but not other addresses', async () => {
    const before = await metric('iag_mqtt_connect_throttled_total', 'scope="address"');
    for (let i = 0; i < 14; i++) expect(await rawConnack('127.0.0.20', `nobody-${i}`, 'x')).toBe(4);
    // Ten failures are forgiven per address; attempts 12 to 14 were held back.
    expect(await metric('iag_mqtt_connect_throttled_total', 'scope="address"')).toBe(before + 3);
    expect(await metric('iag_mqtt_connect_delay_seconds_total')).toBeGreaterThan(0);
    expect(await rawConnack('127.0.0.21', 'rot-1', 'x')).toBe(4);
    expect(await metric('iag_mqtt_connect_throttled_total', 'scope="address"')).toBe(before + 3);
  });

  it('caps open connections per client address', async () => {
    const refusedBefore = await metric('iag_mqtt_connect_refused_total', 'reason="ip_limit"');
    const held = [1, 2, 3].map(() => new RawSession(gateway.mqttPort, '127.0.0.30'));
    await pollUntil(() => held.every((s) => !s.isClosed));
    const extra = new RawSession(gateway.mqttPort, '127.0.0.30');
    await extra.closedWithin(5000);
    expect(extra.received).toEqual([]);
    expect(await metric('iag_mqtt_connect_refused_total', 'reason="ip_limit"')).toBe(
      refusedBefore + 1,
    );
    // Another address is not affected, and a closed connection gives its slot back.
    expect(await rawConnack('127.0.0.31', 'rot-1', 'x')).toBe(4);
    held[0].destroy();
    await held[0].closed;
    const again = await pollUntil(async () => {
      const code = await rawConnack('127.0.0.30', 'nobody', 'x');
      return code === 4 ? code : null;
    });
    expect(again).toBe(4);
    held.forEach((s) => s.destroy());
  });
});
