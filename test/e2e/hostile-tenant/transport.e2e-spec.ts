import { MqttClient } from 'mqtt';
import { connackRefusalAt, connectAt } from '../../support/mqtt-clients';
import { TestPki } from '../../support/pki';
import {
  captureLogs,
  metricValue,
  startTestGateway,
  TestGateway,
} from '../../support/test-gateway';

const WARNING = 'Set MQTT_PORT=off to serve MQTT over TLS only';

/**
 * The hostile tenant against the broker's transport (issue 18, row 6 and the multi-CN certificate of
 * row 9): a plain listener that the network reaches while TLS is on, and a certificate whose subject
 * names the victim among several CNs. The victim, on its own certificate, stays connected.
 */
describe('Hostile tenant: broker transport', () => {
  let pki: TestPki;
  let server: Awaited<ReturnType<TestPki['server']>>;
  const gateways: TestGateway[] = [];
  const clients: MqttClient[] = [];

  const start = async (overrides: Record<string, string>) => {
    const logs = captureLogs();
    const tls = { TLS_CERT: server.certPath, TLS_KEY: server.keyPath, TLS_CA: pki.caPath };
    const gateway = await startTestGateway(
      { ...tls, HTTP_TLS: 'false', LOG_LEVEL: 'info', ...overrides },
      logs.stream,
    );
    gateways.push(gateway);
    const token = (
      await gateway.http('/api/v1/devices', { method: 'POST', body: { id: 'victim' } })
    ).body.token as string;
    return { gateway, logs, token, url: `mqtts://127.0.0.1:${gateway.mqttsPort}` };
  };

  beforeAll(async () => {
    pki = await TestPki.create();
    server = await pki.server();
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    for (const gateway of gateways) await gateway.close();
  });

  it('row 6: says so when plain MQTT is reachable off loopback while TLS is on', async () => {
    // testConfig binds 0.0.0.0
    const { gateway, logs } = await start({});
    expect(gateway.mqttPort).toBeGreaterThan(0);
    expect(logs.lines.join('\n')).toContain(WARNING);
  });

  it('row 6: MQTT_PORT=off serves no plain listener; devices use TLS', async () => {
    const { gateway, logs, token, url } = await start({ MQTT_PORT: 'off', BIND_HOST: '127.0.0.1' });
    expect(gateway.mqttPort).toBe(0);
    const text = logs.lines.join('\n');
    expect(text).toContain('MQTT over plain TCP is off (MQTT_PORT=off)');
    expect(text).not.toContain(WARNING);
    const device = await connectAt(url, { ca: pki.caCert, username: 'victim', password: token });
    clients.push(device);
    await device.publishAsync('devices/victim/telemetry', '{"temp": 21}', { qos: 1 });
  });

  it('multi-CN: a certificate naming the victim among several CNs is refused (0x05)', async () => {
    const { gateway, url } = await start({ BIND_HOST: '127.0.0.1' });
    const own = await pki.device('victim');
    const victim = await connectAt(url, { ca: pki.caCert, cert: own.cert, key: own.key });
    clients.push(victim);
    const refused = () =>
      metricValue(gateway, 'iag_mqtt_connect_refused_total', 'reason="several_common_names"');
    const before = await refused();
    for (const subject of [
      'CN=victim, CN=mallory',
      'CN=mallory+CN=victim',
      'CN=victim, CN=victim',
    ]) {
      const cert = await pki.withSubject(subject);
      await expect(
        connackRefusalAt(url, { ca: pki.caCert, cert: cert.cert, key: cert.key }),
      ).resolves.toBe(5);
    }
    expect((await refused()) - before).toBe(3);
    expect(victim.connected).toBe(true);
    await victim.publishAsync('devices/victim/telemetry', '{"temp": 22}', { qos: 1 });
  });
});
