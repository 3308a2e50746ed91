import { PassThrough } from 'node:stream';
import { connackRefusal, connectDevice } from '../support/mqtt-clients';
import { startTestGateway, TestGateway, TEST_ADMIN_KEY } from '../support/test-gateway';

describe('Logs', () => {
  let gateway: TestGateway;
  const lines: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) =>
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
    );
    gateway = await startTestGateway({ LOG_LEVEL: 'trace' }, stream);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('are structured JSON and never contain tokens, keys or passwords', async () => {
    const device = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: 'secretive-1' },
    });
    const token: string = device.body.token;
    const key = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: 'k', role: 'viewer' },
    });
    await gateway.http('/api/v1/anomalies', { key: key.body.key });
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

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = lines.join('\n');
    for (const secret of [
      token,
      key.body.key,
      TEST_ADMIN_KEY,
      'leak-me-please-0001',
      'wrong-key-value-0002',
      'bad-password-0003',
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
