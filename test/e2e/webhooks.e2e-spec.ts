import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { MqttClient } from 'mqtt';
import { verifyWebhook, WEBHOOK_HEADERS } from '@iag/ingestion';
import { connectDevice } from '../support/mqtt-clients';
import { pollUntil } from '../support/poll-until';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

const SECRET = 'webhook-secret-0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers 503 to its first `failures` requests, then 204. */
async function flakyReceiver(
  failures: number,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const answered = received.length < failures ? 503 : 204;
      received.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/iag?token=not-for-logs`, received };
}

describe('Webhooks', () => {
  let gateway: TestGateway;
  let device: MqttClient;
  let receiver: Awaited<ReturnType<typeof flakyReceiver>>;

  beforeAll(async () => {
    receiver = await flakyReceiver(2);
    gateway = await startTestGateway({
      WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_BACKOFF_MS: '50',
      DETECTOR_LEARN_READINGS: '10',
      EPISODE_CLOSE_AFTER: '1',
    });
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: 'boiler-1' },
    });
    device = await connectDevice(gateway.mqttPort, 'boiler-1', created.body.token);
  });

  afterAll(async () => {
    device?.end(true);
    await gateway?.close();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('retries with backoff until the receiver accepts, signs every attempt, and keeps the order', async () => {
    let ts = Date.now() - 600_000;
    const publish = (temp: number) =>
      device.publishAsync(
        'devices/boiler-1/telemetry',
        JSON.stringify({ ts: (ts += 1000), temp }),
        { qos: 1 },
      );
    for (let n = 0; n < 15; n++) await publish(20 + 0.1 * Math.sin(n));
    await publish(70); // opens an anomaly
    await publish(20.05); // and closes it

    const delivered = await pollUntil(
      () => receiver.received.filter((r) => r.answered === 204),
      (ok) => ok.length >= 2,
    );
    // the first event was refused twice (503) and then accepted: three attempts, one delivery id
    const attempts = receiver.received.filter(
      (r) => r.headers[WEBHOOK_HEADERS.delivery] === delivered[0].headers[WEBHOOK_HEADERS.delivery],
    );
    expect(attempts.map((r) => r.answered)).toEqual([503, 503, 204]);
    expect(delivered.map((r) => r.headers[WEBHOOK_HEADERS.event])).toEqual(['opened', 'closed']);
    expect(delivered.map((r) => Number(r.headers[WEBHOOK_HEADERS.delivery]))).toEqual([1, 2]);

    for (const r of receiver.received) {
      const sig = r.headers[WEBHOOK_HEADERS.signature] as string;
      const time = r.headers[WEBHOOK_HEADERS.timestamp] as string;
      expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifyWebhook(SECRET, sig, time, r.body)).toBe(true);
      expect(verifyWebhook('another-secret-0123', sig, time, r.body)).toBe(false);
      expect(verifyWebhook(SECRET, sig, time, r.body.replace('boiler-1', 'boiler-2'))).toBe(false);
    }
    const body = JSON.parse(delivered[0].body);
    expect(body).toMatchObject({ id: '1', type: 'opened', anomaly: { deviceId: 'boiler-1' } });
    expect(body.anomaly.metrics[0].name).toBe('temp');
    expect(await metricValue(gateway, 'iag_webhook_deliveries_total', 'outcome="retried"')).toBe(2);
    expect(await metricValue(gateway, 'iag_webhook_deliveries_total', 'outcome="delivered"')).toBe(
      2,
    );
  });
});
