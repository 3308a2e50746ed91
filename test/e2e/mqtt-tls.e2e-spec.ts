import { request } from 'node:https';
import { MqttClient } from 'mqtt';
import { pollUntil } from '../support/poll-until';
import {
  collect,
  connackRefusalAt,
  connectAt,
  subscribeGranted,
  waitForClose,
} from '../support/mqtt-clients';
import { Issued, TestPki } from '../support/pki';
import {
  metricValue,
  startTestGateway,
  TestGateway,
  TEST_ADMIN_KEY,
} from '../support/test-gateway';

/** An admin request over HTTPS trusting only the test CA; resolves with the status code. */
function httpsStatus(port: number, path: string, ca: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const method = body === undefined ? 'GET' : 'POST';
    const req = request({ host: '127.0.0.1', port, path, ca, method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('MQTT over TLS and mutual TLS', () => {
  let pki: TestPki;
  let otherPki: TestPki;
  let gateway: TestGateway;
  let url: string;
  const certs: Record<string, Issued> = {};
  const clients: MqttClient[] = [];

  async function provision(id: string): Promise<string> {
    const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id } });
    expect(created.status).toBe(201);
    return created.body.token;
  }

  async function connectWith(cert: Issued, options = {}): Promise<MqttClient> {
    const client = await connectAt(url, {
      ca: pki.caCert,
      cert: cert.cert,
      key: cert.key,
      ...options,
    });
    clients.push(client);
    return client;
  }

  const refusedWith = (cert: Issued, options = {}) =>
    connackRefusalAt(url, { ca: pki.caCert, cert: cert.cert, key: cert.key, ...options });

  beforeAll(async () => {
    pki = await TestPki.create();
    otherPki = await TestPki.create('Somebody Else CA');
    const server = await pki.server();
    certs.good = await pki.device('cert-dev');
    certs.expired = await pki.device('cert-dev', -1);
    certs.unknown = await pki.device('never-provisioned');
    certs.foreign = await otherPki.device('cert-dev');
    certs.revokedByCrl = await pki.device('cert-dev');
    certs.doomed = await pki.device('doomed-dev');
    gateway = await startTestGateway({
      TLS_CERT: server.certPath,
      TLS_KEY: server.keyPath,
      TLS_CA: pki.caPath,
      TLS_CRL: await pki.crl([certs.revokedByCrl]),
      HTTP_TLS: 'false',
    });
    url = `mqtts://127.0.0.1:${gateway.mqttsPort}`;
    await provision('cert-dev');
    await provision('doomed-dev');
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  it('serves MQTT over TLS to a device using its token', async () => {
    const token = await provision('token-dev');
    const client = await connectAt(url, { ca: pki.caCert, username: 'token-dev', password: token });
    clients.push(client);
    await client.publishAsync('devices/token-dev/telemetry', '{"temp": 20.5}', { qos: 1 });
    const stored = await pollUntil(
      () => gateway.http('/api/v1/devices/token-dev/telemetry?from=0'),
      (r) => r.body?.series?.length === 1,
    );
    expect(stored.body.series[0].values.temp).toBe(20.5);
  });

  it('authenticates a device by its client certificate alone, with the same ACL', async () => {
    const client = await connectWith(certs.good);
    await client.publishAsync('devices/cert-dev/telemetry', '{"temp": 7}', { qos: 1 });
    await pollUntil(
      () => gateway.http('/api/v1/devices/cert-dev/telemetry?from=0'),
      (r) => r.body?.series?.length === 1,
    );
    expect(
      await subscribeGranted(client, ['devices/cert-dev/errors', 'devices/token-dev/errors']),
    ).toEqual([1, 128]);
    const closed = waitForClose(client);
    client.publish('devices/token-dev/telemetry', '{"temp": 1}', { qos: 1 });
    await closed;
  });

  it('accepts the username when it names the certificate device, refuses another (0x04)', async () => {
    const client = await connectWith(certs.good, { username: 'cert-dev' });
    expect(client.connected).toBe(true);
    await expect(refusedWith(certs.good, { username: 'token-dev', password: 'x' })).resolves.toBe(
      4,
    );
  });

  it.each([
    ['an unprovisioned device', 'unknown'],
    ['an expired certificate', 'expired'],
    ['a certificate from another CA', 'foreign'],
    ['a certificate revoked by TLS_CRL', 'revokedByCrl'],
  ])('refuses %s with CONNACK 0x05', async (_what, which) => {
    const before = await metricValue(
      gateway,
      'iag_mqtt_connect_refused_total',
      'reason="bad_certificate"',
    );
    await expect(refusedWith(certs[which])).resolves.toBe(5);
    if (which !== 'unknown') {
      expect(
        await metricValue(gateway, 'iag_mqtt_connect_refused_total', 'reason="bad_certificate"'),
      ).toBe(before + 1);
    }
  });

  it("refuses a certificate's device once revoked, closing its live session", async () => {
    const client = await connectWith(certs.doomed);
    const closed = waitForClose(client);
    expect((await gateway.http('/api/v1/devices/doomed-dev', { method: 'DELETE' })).status).toBe(
      204,
    );
    await closed;
    await expect(refusedWith(certs.doomed)).resolves.toBe(5);
  });

  it('serves REST and MQTT over WebSocket on HTTPS, with client certificates', async () => {
    const server = await pki.server();
    const secure = await startTestGateway({
      TLS_CERT: server.certPath,
      TLS_KEY: server.keyPath,
      TLS_CA: pki.caPath,
    });
    try {
      expect(secure.httpScheme).toBe('https');
      expect(await httpsStatus(secure.httpPort, '/api/v1/devices', pki.caCert)).toBe(200);
      // The device must exist in this gateway's own registry.
      const created = await httpsStatus(secure.httpPort, '/api/v1/devices', pki.caCert, {
        id: 'cert-dev',
      });
      expect(created).toBe(201);
      const wss = `wss://127.0.0.1:${secure.httpPort}/mqtt`;
      const client = await connectAt(wss, {
        ca: pki.caCert,
        cert: certs.good.cert,
        key: certs.good.key,
      });
      const seen = collect(client);
      await client.subscribeAsync('devices/cert-dev/telemetry', { qos: 1 });
      await client.publishAsync('devices/cert-dev/telemetry', '{"temp": 3}', { qos: 1 });
      await pollUntil(
        () => seen,
        (s) => s.length === 1,
      );
      client.end(true);
      await expect(
        connackRefusalAt(wss, { ca: pki.caCert, cert: certs.expired.cert, key: certs.expired.key }),
      ).resolves.toBe(5);
    } finally {
      await secure.close();
    }
  });
});
