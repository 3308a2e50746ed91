import {
  connackRefusal,
  connackRefusalAt,
  connectAt,
  connectDevice,
} from '../support/mqtt-clients';
import { TestPki } from '../support/pki';
import { pollUntil } from '../support/poll-until';
import {
  captureLogs,
  startTestGateway,
  TestGateway,
  TEST_ADMIN_KEY,
} from '../support/test-gateway';

/** A device and an API key on the gateway; both secrets are shown once and must never be logged. */
async function provisionSecrets(
  gateway: TestGateway,
  deviceId: string,
  role: string,
): Promise<{ token: string; key: { id: string; key: string } }> {
  const device = await gateway.http('/api/v1/devices', { method: 'POST', body: { id: deviceId } });
  const key = await gateway.http('/api/v1/keys', {
    method: 'POST',
    body: { name: `${deviceId}-key`, role },
  });
  return { token: device.body.token, key: key.body };
}

/** Every line is JSON and none holds any of the secrets. */
function expectCleanLogs(lines: string[], secrets: string[]): void {
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  const all = lines.join('\n');
  for (const secret of [...secrets, TEST_ADMIN_KEY]) expect(all).not.toContain(secret);
}

describe('Logs', () => {
  let gateway: TestGateway;
  const { stream, lines } = captureLogs();

  beforeAll(async () => {
    gateway = await startTestGateway({ LOG_LEVEL: 'trace' }, stream);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('are structured JSON and never contain tokens, keys or passwords', async () => {
    const { token, key } = await provisionSecrets(gateway, 'secretive-1', 'viewer');
    await gateway.http('/api/v1/anomalies', { key: key.key });
    await gateway.http('/api/v1/anomalies?token=leak-me-please-0001', {
      key: 'iag_wrongwrongwr_wrong-key-value-0002',
    });
    await expect(
      connackRefusal(gateway.mqttPort, { username: 'secretive-1', password: 'bad-password-0003' }),
    ).resolves.toBe(4);
    const client = await connectDevice(gateway.mqttPort, 'secretive-1', token);
    await client.publishAsync('devices/secretive-1/telemetry', '{"temp": "x"}', { qos: 1 });
    await client.publishAsync('devices/secretive-1/telemetry', '{"temp": 1}', { qos: 1 });
    client.end(true);
    await gateway.http(`/api/v1/devices/secretive-1/token`, { method: 'POST' });

    expectCleanLogs(lines, [
      token,
      key.key,
      'leak-me-please-0001',
      'wrong-key-value-0002',
      'bad-password-0003',
    ]);
  });

  it('log each REST request once, by path and parameter names, and leave probes out', async () => {
    const marker = `?limit=7&status=open&deviceId=secret-value-0004`;
    await gateway.http(`/api/v1/anomalies${marker}`);
    await gateway.http('/health', { key: null });
    await gateway.http('/metrics', { key: null });
    const requestLines = () =>
      lines
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.req !== undefined && entry.res !== undefined);
    const logged = await pollUntil(
      () => requestLines().filter((entry) => entry.req.path === '/api/v1/anomalies'),
      (found) => found.some((entry) => entry.req.params.includes('deviceId')),
    );
    const ours = logged.filter((entry) => entry.req.params.includes('deviceId'));
    expect(ours).toHaveLength(1);
    const line = ours[0];
    expect(line).toMatchObject({
      msg: 'request completed',
      req: { method: 'GET', params: ['limit', 'status', 'deviceId'] },
      res: { statusCode: 200 },
    });
    expect(typeof line.req.id).toBe('number');
    expect(typeof line.responseTime).toBe('number');
    expect(requestLines().filter((entry) => /^\/(health|metrics)/.test(entry.req.path))).toEqual(
      [],
    );
    expect(lines.join('\n')).not.toContain('secret-value-0004');
  });
});

describe('Logs on the TLS and WebSocket paths', () => {
  let gateway: TestGateway;
  let pki: TestPki;
  const { stream, lines } = captureLogs();

  beforeAll(async () => {
    pki = await TestPki.create();
    const server = await pki.server();
    gateway = await startTestGateway(
      {
        LOG_LEVEL: 'trace',
        TLS_CERT: server.certPath,
        TLS_KEY: server.keyPath,
        TLS_CA: pki.caPath,
        HTTP_TLS: 'false',
      },
      stream,
    );
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('never contain tokens, API keys, passwords or private keys', async () => {
    const mqtts = `mqtts://127.0.0.1:${gateway.mqttsPort}`;
    const ws = `ws://127.0.0.1:${gateway.httpPort}/mqtt`;
    const { token, key } = await provisionSecrets(gateway, 'tls-secret-1', 'operator');
    const deviceCert = await pki.device('tls-secret-1');
    const expired = await pki.device('tls-secret-1', -1);

    await expect(
      connackRefusalAt(ws, { username: 'tls-secret-1', password: 'ws-bad-password-0004' }),
    ).resolves.toBe(4);
    await expect(
      connackRefusalAt(mqtts, {
        ca: pki.caCert,
        username: 'tls-secret-1',
        password: 'tls-bad-password-0005',
      }),
    ).resolves.toBe(4);
    await expect(
      connackRefusalAt(mqtts, { ca: pki.caCert, cert: expired.cert, key: expired.key }),
    ).resolves.toBe(5);
    await expect(
      connackRefusalAt(ws, {
        username: 'service:bridge',
        password: 'iag_0123456789ab_bad-service-key-0006',
      }),
    ).resolves.toBe(4);
    for (const client of [
      await connectAt(ws, { username: 'tls-secret-1', password: token }),
      await connectAt(mqtts, { ca: pki.caCert, username: 'tls-secret-1', password: token }),
      await connectAt(mqtts, { ca: pki.caCert, cert: deviceCert.cert, key: deviceCert.key }),
    ]) {
      await client.publishAsync('devices/tls-secret-1/telemetry', '{"temp": "x"}', { qos: 1 });
      client.end(true);
    }
    const service = await connectAt(ws, { username: 'service:bridge', password: key.key });
    service.end(true);
    await gateway.http(`/api/v1/keys/${key.id}`, { method: 'DELETE' });
    await gateway.http('/api/v1/devices/tls-secret-1/token', { method: 'POST' });

    const keyBody = (pem: string) => pem.split('\n')[1];
    expectCleanLogs(lines, [
      token,
      key.key,
      'ws-bad-password-0004',
      'tls-bad-password-0005',
      'bad-service-key-0006',
      keyBody(deviceCert.key),
      keyBody(expired.key),
      'PRIVATE KEY',
    ]);
  });
});
