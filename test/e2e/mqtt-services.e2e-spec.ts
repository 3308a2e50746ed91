import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MqttClient } from 'mqtt';
import { createGateway } from '../../apps/gateway/src/gateway';
import { pollUntil } from '../support/poll-until';
import {
  collect,
  connackRefusal,
  connectDevice,
  subscribeGranted,
  waitForClose,
} from '../support/mqtt-clients';
import { testConfig, testDir } from '../support/test-config';
import { captureLogs, startTestGateway, TestGateway } from '../support/test-gateway';

const rulesFile = (rules: unknown): string => {
  const path = join(testDir('acl-'), 'acl.json');
  writeFileSync(path, JSON.stringify(rules, null, 2));
  return path;
};

describe('Service credentials and ACL rule files', () => {
  let gateway: TestGateway;
  const clients: MqttClient[] = [];
  let deviceToken: string;

  async function key(role: string): Promise<{ id: string; key: string }> {
    const created = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: `${role}-svc`, role },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function service(apiKey: string, options = {}): Promise<MqttClient> {
    const client = await connectDevice(gateway.mqttPort, 'service:backend', apiKey, options);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    const acl = rulesFile({
      rules: [
        {
          effect: 'allow',
          principal: 'device',
          action: 'publish',
          topic: ['devices/{deviceId}/telemetry', 'devices/{deviceId}/status'],
        },
        {
          effect: 'allow',
          principal: 'device',
          action: 'subscribe',
          topic: 'devices/{deviceId}/#',
        },
        {
          effect: 'allow',
          principal: 'service',
          role: 'viewer',
          action: 'subscribe',
          topic: ['devices/+/telemetry', 'devices/+/status'],
        },
        {
          effect: 'allow',
          principal: 'service',
          role: 'operator',
          action: 'subscribe',
          topic: 'alerts/#',
        },
        { effect: 'deny', principal: 'service', action: 'subscribe', topic: 'devices/secret-1/#' },
      ],
    });
    gateway = await startTestGateway({ MQTT_ACL: acl, DETECTOR_LEARN_READINGS: '5' });
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: 'sensor-1' },
    });
    deviceToken = created.body.token;
  });

  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  it('lets a viewer key read every device telemetry but not alerts or denied devices', async () => {
    const viewer = await service((await key('viewer')).key);
    expect(
      await subscribeGranted(viewer, [
        'devices/+/telemetry',
        'alerts/#',
        'devices/secret-1/telemetry',
        'devices/+/status',
      ]),
    ).toEqual([1, 128, 128, 1]);
    const seen = collect(viewer);
    // The wildcard is granted, but the denied device's messages are withheld from it.
    const secret = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: 'secret-1' },
    });
    const hidden = await connectDevice(gateway.mqttPort, 'secret-1', secret.body.token);
    clients.push(hidden);
    await hidden.publishAsync('devices/secret-1/telemetry', '{"temp": 1}', { qos: 1 });
    const device = await connectDevice(gateway.mqttPort, 'sensor-1', deviceToken);
    clients.push(device);
    await device.publishAsync('devices/sensor-1/telemetry', '{"temp": 21}', { qos: 1 });
    await device.publishAsync('devices/sensor-1/status', 'online', { qos: 1 });
    const got = await pollUntil(
      () => seen,
      (s) => s.length >= 2,
    );
    expect(got.map((m) => m.topic).sort()).toEqual([
      'devices/sensor-1/status',
      'devices/sensor-1/telemetry',
    ]);
  });

  it('delivers alerts to an operator key', async () => {
    const operator = await service((await key('operator')).key);
    expect(await subscribeGranted(operator, ['alerts/#'])).toEqual([1]);
    const alerts = collect(operator);
    const device = await connectDevice(gateway.mqttPort, 'sensor-1', deviceToken);
    clients.push(device);
    const start = Date.now() + 1000; // after the readings earlier tests sent
    for (let i = 0; i < 12; i++) {
      const temp = i === 10 ? 80 : 20 + (i % 3) * 0.1;
      await device.publishAsync(
        'devices/sensor-1/telemetry',
        JSON.stringify({ ts: start + i * 1000, temp }),
        { qos: 1 },
      );
    }
    const got = await pollUntil(
      () => alerts,
      (a) => a.length >= 1,
      { timeoutMs: 15_000 },
    );
    expect(got[0].topic).toBe('alerts/sensor-1');
    expect(JSON.parse(got[0].payload)).toMatchObject({
      type: 'opened',
      anomaly: { deviceId: 'sensor-1' },
    });
  });

  it('refuses a wrong key (0x04) and a key without publish rights cannot publish', async () => {
    await expect(
      connackRefusal(gateway.mqttPort, {
        username: 'service:x',
        password: 'iag_000000000000_' + 'a'.repeat(43),
      }),
    ).resolves.toBe(4);
    const admin = await service((await key('admin')).key);
    const closed = waitForClose(admin);
    admin.publish('devices/sensor-1/telemetry', '{"temp": 1}', { qos: 1 });
    await closed;
  });

  it('closes the sessions of a revoked key and refuses it from then on', async () => {
    const { id, key: apiKey } = await key('viewer');
    const client = await service(apiKey);
    const closed = waitForClose(client);
    expect((await gateway.http(`/api/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    await closed;
    await expect(
      connackRefusal(gateway.mqttPort, { username: 'service:backend', password: apiKey }),
    ).resolves.toBe(4);
  });
});

describe('MQTT_ACL at start', () => {
  it('names every problem of a bad rules file and does not start', async () => {
    const acl = rulesFile({
      rules: [
        { effect: 'allow', principal: 'robot', action: 'publish', topic: 'a/#/b' },
        { effect: 'deny' },
      ],
    });
    const failure = createGateway(testConfig({ MQTT_ACL: acl }));
    await expect(failure).rejects.toThrow(/rules\.0\.principal/);
    await expect(failure).rejects.toThrow(/rules\.1\.action/);
  });

  it('warns at start when the open preset is chosen, and then allows anonymous devices', async () => {
    const { stream, lines } = captureLogs();
    const gateway = await startTestGateway({ MQTT_ACL: 'open', LOG_LEVEL: 'warn' }, stream);
    try {
      const warning = await pollUntil(() =>
        lines.map((l) => JSON.parse(l)).find((l) => /MQTT_ACL=open/.test(l.msg)),
      );
      expect(warning).toMatchObject({ level: 40 });
      const anon = await connectDevice(gateway.mqttPort, 'x', 'y', {
        username: undefined,
        password: undefined,
        clientId: 'anon-1',
      });
      expect(await subscribeGranted(anon, ['anything/#'])).toEqual([1]);
      anon.end(true);
    } finally {
      await gateway.close();
    }
  });
});
