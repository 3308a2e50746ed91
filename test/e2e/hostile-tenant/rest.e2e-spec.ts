import { randomBytes } from 'node:crypto';
import { MqttClient } from 'mqtt';
import { Browser } from 'playwright-core';
import { launchChromium } from '../../support/browser';
import { connectAt, connectDevice } from '../../support/mqtt-clients';
import { pollUntil } from '../../support/poll-until';
import { flood, rawConnection, RawConnection, requestFrom } from '../../support/raw-http';
import { openSse, SseConnection } from '../../support/sse-client';
import { spikingWideReadings } from '../../support/wide-readings';
import {
  metricValue,
  startTestGateway,
  TEST_ADMIN_KEY,
  TestGateway,
} from '../../support/test-gateway';

jest.setTimeout(120_000);

/** Each client has its own loopback address: the gateway counts failed authentications per address. */
const GUESSER = '127.0.0.3';
const BYSTANDER = '127.0.0.2';

const guess = () =>
  `iag_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;

/** A stream request written by hand on a raw socket (a client that may stop reading). */
function streamRequest(key: string): string {
  return `GET /api/v1/anomalies/stream HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${key}\r\n\r\n`;
}

describe('A hostile tenant against REST: keys, streams and /docs', () => {
  let gateway: TestGateway;
  let viewerKey: string;
  let deviceToken: string;
  const streams: SseConnection[] = [];
  const raws: RawConnection[] = [];
  const value = (name: string, labels = '') => metricValue(gateway, name, labels);
  /** The bystander's view: another client's REST request, from its own address. */
  const bystanderRead = () =>
    requestFrom(BYSTANDER, gateway.httpPort, '/api/v1/anomalies?limit=1', { key: viewerKey });

  beforeAll(async () => {
    gateway = await startTestGateway({
      SSE_MAX_STREAMS_PER_KEY: '3',
      SSE_MAX_STREAMS: '5',
      SSE_STALL_TIMEOUT_MS: '1500',
      MAX_PAYLOAD_BYTES: '1048576',
      DEVICE_MAX_BYTES_PER_SEC: '0',
      DEVICE_MAX_MESSAGES_PER_SEC: '0',
      DETECTOR_LEARN_READINGS: '10',
      DETECTOR_LIKELIHOOD_READINGS: '0',
      EPISODE_CLOSE_AFTER: '1',
    });
    const key = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: 'wallboard', role: 'viewer' },
    });
    viewerKey = key.body.key;
    const device = await gateway.http('/api/v1/devices', { method: 'POST', body: { id: 'big-1' } });
    deviceToken = device.body.token;
  });

  afterAll(async () => {
    streams.forEach((s) => s.close());
    raws.forEach((r) => r.socket.destroy());
    await gateway?.close();
  });

  it('throttles a key guesser by address with 429 and Retry-After; valid keys are served throughout', async () => {
    const before = await value('iag_api_auth_throttled_total');
    const guesses = flood(400, 20, async () => {
      const wrong = Math.random() < 0.5 ? guess() : `a-guess-at-the-seed-${Math.random()}`;
      return (await requestFrom(GUESSER, gateway.httpPort, '/api/v1/anomalies', { key: wrong }))
        .status;
    });
    const bystander = flood(60, 3, async () => (await bystanderRead()).status);
    const [guessed, served] = await Promise.all([guesses, bystander]);
    expect(guessed.filter((s) => s === 401)).toHaveLength(20);
    expect(guessed.filter((s) => s === 429)).toHaveLength(380);
    expect(served).toEqual(Array(60).fill(200));
    expect(await value('iag_api_auth_throttled_total')).toBe(before + 380);

    const refused = await requestFrom(GUESSER, gateway.httpPort, '/api/v1/anomalies', {
      key: guess(),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/too many failed authentications from this address/),
    });
    // From the throttled address itself, a valid key (generated, or the seed) is still served.
    for (const key of [viewerKey, TEST_ADMIN_KEY]) {
      expect(
        (await requestFrom(GUESSER, gateway.httpPort, '/api/v1/keys/me', { key })).status,
      ).toBe(200);
    }
    // The throttle is per address: another client's wrong key is an ordinary 401.
    const other = await requestFrom(BYSTANDER, gateway.httpPort, '/api/v1/anomalies', {
      key: guess(),
    });
    expect(other.status).toBe(401);
  });

  it('caps streams per key and in all with 429, and serves the next one once a stream closes', async () => {
    const url = `http://127.0.0.1:${gateway.httpPort}/api/v1/anomalies/stream`;
    const open = async (key: string) => {
      const stream = await openSse(url, { key });
      streams.push(stream);
      return stream;
    };
    const mine = [await open(viewerKey), await open(viewerKey), await open(viewerKey)];
    expect(mine.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await requestFrom(BYSTANDER, gateway.httpPort, '/api/v1/anomalies/stream', {
      key: viewerKey,
    });
    expect(fourth.status).toBe(429);
    expect(fourth.body.message).toMatch(/SSE_MAX_STREAMS_PER_KEY/);
    expect(await value('iag_api_sse_refused_total', 'cap="per_key"')).toBe(1);

    const admins = [await open(TEST_ADMIN_KEY), await open(TEST_ADMIN_KEY)];
    expect(admins.map((s) => s.status)).toEqual([200, 200]);
    const sixth = await requestFrom(BYSTANDER, gateway.httpPort, '/api/v1/anomalies/stream', {
      key: TEST_ADMIN_KEY,
    });
    expect(sixth.status).toBe(429);
    expect(sixth.body.message).toMatch(/SSE_MAX_STREAMS\b/);
    expect(await value('iag_api_sse_refused_total', 'cap="global"')).toBe(1);
    expect((await bystanderRead()).status).toBe(200);

    mine[0].close();
    const next = await pollUntil(
      () => openSse(url, { key: viewerKey }),
      (s) => s.status === 200,
    );
    streams.push(next);
    [...mine, ...admins, next].forEach((s) => s.close());
    await pollUntil(
      () => value('iag_api_sse_clients'),
      (n) => n === 0,
    );
  });

  it('closes a stream whose reader stopped reading, while other readers get every event', async () => {
    const url = `http://127.0.0.1:${gateway.httpPort}/api/v1/anomalies/stream`;
    const watcher = await openSse(url, { key: TEST_ADMIN_KEY });
    streams.push(watcher);
    const stalled = await rawConnection(gateway.httpPort, { paused: true });
    raws.push(stalled);
    stalled.socket.write(streamRequest(viewerKey));
    await pollUntil(
      () => value('iag_api_sse_clients'),
      (n) => n === 2,
    );

    const device = await connectDevice(gateway.mqttPort, 'big-1', deviceToken);
    const spikes = 600;
    const all = spikingWideReadings(Date.now() - 6 * 3_600_000, spikes);
    try {
      for (let i = 0; i < all.length; i += 120) {
        await device.publishAsync(
          'devices/big-1/telemetry',
          JSON.stringify(all.slice(i, i + 120)),
          {
            qos: 1,
          },
        );
      }
      await pollUntil(
        () => value('iag_api_sse_stalled_total'),
        (n) => n === 1,
        {
          timeoutMs: 60_000,
        },
      );
      expect((await bystanderRead()).status).toBe(200);
      await pollUntil(
        () => watcher.events.length,
        (n) => n === 2 * spikes,
        { timeoutMs: 60_000 },
      );
    } finally {
      device.end(true);
    }
    const ids = watcher.events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, k) => ids[0] + k)); // every event, in order
    expect(watcher.events[0].data.length).toBeGreaterThan(4000);

    stalled.socket.resume(); // the reader comes back: the gateway has closed its stream
    await stalled.closed;
    expect(stalled.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(stalled.received().match(/^id: /gm)?.length ?? 0).toBeLessThan(2 * spikes);
    await pollUntil(
      () => value('iag_api_sse_clients'),
      (n) => n === 1,
    );
  });

  it('serves /docs with the security headers, and Swagger UI renders under them', async () => {
    const docs = await fetch(`http://127.0.0.1:${gateway.httpPort}/docs`);
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    expect(docs.headers.get('referrer-policy')).toBe('no-referrer');

    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const violations: string[] = [];
      const requested: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
          violations.push(m.text());
        }
      });
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(`http://127.0.0.1:${gateway.httpPort}/docs`);
      await page
        .locator('.opblock-summary-path', { hasText: '/api/v1/anomalies/stream' })
        .first()
        .waitFor();
      expect(violations).toEqual([]);
      expect(requested.every((u) => u.startsWith(`http://127.0.0.1:${gateway.httpPort}/`))).toBe(
        true,
      );
      // What the headers are for: a script injected into the page does not run.
      const ran = await page.evaluate(`(async () => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = true';
        document.body.appendChild(script);
        await new Promise((resolve) => setTimeout(resolve, 100));
        return window.injected === true;
      })()`);
      expect(ran).toBe(false);
    } finally {
      await browser?.close();
    }
  });
});

describe('A hostile tenant against the HTTP listener: slow, idle and too many connections', () => {
  let gateway: TestGateway;
  const raws: RawConnection[] = [];
  const clients: MqttClient[] = [];
  const value = (name: string, labels = '') => metricValue(gateway, name, labels);

  /**
   * Writes `text` one byte every 200 ms until the server closes the connection; resolves with
   * whether the whole text went out first (a server that waits that long did not time it out).
   */
  function trickle(connection: RawConnection, text: string): Promise<boolean> {
    let at = 0;
    const timer = setInterval(() => {
      if (at < text.length) connection.socket.write(text[at++]);
    }, 200);
    return connection.closed.then(() => {
      clearInterval(timer);
      return at >= text.length;
    });
  }

  async function connection(): Promise<RawConnection> {
    const raw = await rawConnection(gateway.httpPort);
    raws.push(raw);
    return raw;
  }

  beforeAll(async () => {
    gateway = await startTestGateway({
      HTTP_HEADERS_TIMEOUT_MS: '1500',
      HTTP_REQUEST_TIMEOUT_MS: '3000',
      HTTP_CONNECTION_TIMEOUT_MS: '2000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      HTTP_BODY_LIMIT_BYTES: '65536',
      DETECTOR_LEARN_READINGS: '10',
      EPISODE_CLOSE_AFTER: '1',
    });
  });

  afterAll(async () => {
    raws.forEach((r) => r.socket.destroy());
    clients.forEach((c) => c.end(true));
    await gateway?.close();
  });

  it('closes slow-header, slow-body and silent clients; keeps SSE streams and MQTT WebSockets', async () => {
    const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id: 'ws-1' } });
    const ws = await connectAt(`ws://127.0.0.1:${gateway.httpPort}/mqtt`, {
      username: 'ws-1',
      password: created.body.token,
      keepalive: 60,
    });
    clients.push(ws);
    const stream = await openSse(`http://127.0.0.1:${gateway.httpPort}/api/v1/anomalies/stream`, {
      key: TEST_ADMIN_KEY,
    });
    const timeouts = await value('iag_http_client_errors_total', 'reason="timeout"');

    const slowHeaders = await connection();
    // 100 bytes take 20 s, far past HTTP_HEADERS_TIMEOUT_MS (and the headers never end).
    const headersSent = trickle(
      slowHeaders,
      `GET /health HTTP/1.1\r\nHost: gw\r\nX-Slow: ${'a'.repeat(60)}`,
    );
    const body = '{"name":"slow","role":"viewer"}'.padEnd(400, ' ');
    const slowBody = await connection();
    slowBody.socket.write(
      `POST /api/v1/keys HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const bodySent = trickle(slowBody, body);
    const silent = await connection();
    const keptAlive = await connection();
    keptAlive.socket.write('GET /health HTTP/1.1\r\nHost: gw\r\n\r\n');

    await Promise.all([slowHeaders.closed, slowBody.closed, silent.closed, keptAlive.closed]);
    expect(await headersSent).toBe(false);
    expect(await bodySent).toBe(false);
    expect(slowHeaders.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(slowHeaders.received()).toContain('"statusCode":408');
    expect(slowBody.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(keptAlive.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(await value('iag_http_client_errors_total', 'reason="timeout"')).toBeGreaterThanOrEqual(
      timeouts + 2,
    );

    // Both long-lived connections outlived every timeout above, and still work.
    let clock = Date.now() - 3_600_000;
    const send = (temp: number) =>
      ws.publishAsync('devices/ws-1/telemetry', JSON.stringify({ ts: (clock += 1000), temp }), {
        qos: 1,
      });
    for (let n = 0; n < 12; n++) await send(21 + 0.1 * Math.sin(n));
    await send(60);
    await pollUntil(() => stream.events.find((e) => e.type === 'opened'));
    stream.close();
  });

  it('answers a body over HTTP_BODY_LIMIT_BYTES with 413', async () => {
    const big = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'x'.repeat(70_000), role: 'viewer' }),
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });
});

describe('A hostile tenant holding HTTP connections: HTTP_MAX_CONNECTIONS', () => {
  let gateway: TestGateway;
  const raws: RawConnection[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway({ HTTP_MAX_CONNECTIONS: '4' });
  });

  afterAll(async () => {
    raws.forEach((r) => r.socket.destroy());
    await gateway?.close();
  });

  it('closes connections past the cap on arrival, counts them, and serves again once one closes', async () => {
    /** Read over a connection of its own that closes after the answer: the cap counts every one. */
    const dropped = async () => {
      const { body } = await requestFrom(BYSTANDER, gateway.httpPort, '/metrics');
      const line = String(body)
        .split('\n')
        .find((l) => l.startsWith('iag_http_connections_dropped_total '));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const before = await dropped();
    for (let n = 0; n < 4; n++) raws.push(await rawConnection(gateway.httpPort));
    const extra = await rawConnection(gateway.httpPort);
    raws.push(extra);
    extra.socket.write('GET /health HTTP/1.1\r\nHost: gw\r\n\r\n');
    await extra.closed;
    expect(extra.received()).toBe(''); // closed before anything was read: no request to answer
    raws[0].socket.destroy();
    await pollUntil(
      () => requestFrom(BYSTANDER, gateway.httpPort, '/health').then((r) => r.status),
      (status) => status === 200,
    );
    expect(await dropped()).toBeGreaterThanOrEqual(before + 1);
  });
});
