import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MqttClient } from 'mqtt';
import { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { connectDevice } from '../support/mqtt-clients';
import { testDir } from '../support/test-config';
import { startTestGateway, TestGateway } from '../support/test-gateway';

jest.setTimeout(60_000);

describe('Dashboard (headless Chromium)', () => {
  const screenshots = testDir('screens-');
  const deviceId = 'press-1';
  let gateway: TestGateway;
  let device: MqttClient;
  let browser: Browser;
  let page: Page;
  let operatorKey: string;
  let clock = Date.now() - 30 * 60_000;
  const requestedUrls: string[] = [];

  const publish = (temp: number, hum = 40) =>
    device.publishAsync(
      `devices/${deviceId}/telemetry`,
      JSON.stringify({ ts: (clock += 1000), temp, hum }),
      { qos: 1 },
    );

  beforeAll(async () => {
    gateway = await startTestGateway({ DETECTOR_LEARN_READINGS: '10', EPISODE_CLOSE_AFTER: '2' });
    const key = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: 'night-shift', role: 'operator' },
    });
    operatorKey = key.body.key;
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: deviceId, profile: 'press' },
    });
    device = await connectDevice(gateway.mqttPort, deviceId, created.body.token);
    for (let i = 0; i < 20; i++) await publish(21 + 0.1 * Math.sin(i), 40 + 0.2 * Math.cos(i));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => requestedUrls.push(request.url()));
    await page.goto(`http://127.0.0.1:${gateway.httpPort}/`);
  });

  afterAll(async () => {
    await browser?.close();
    device?.end(true);
    await gateway?.close();
  });

  it('asks for an API key, refuses a wrong one, and shows the fleet for a valid one', async () => {
    await page.fill('#key', 'not-a-key-0123456789');
    await page.click('#login button[type=submit]');
    await page.locator('#login-error', { hasText: 'not valid' }).waitFor();

    await page.fill('#key', operatorKey);
    await page.click('#login button[type=submit]');
    await page.locator('#who', { hasText: 'night-shift (operator)' }).waitFor();
    const row = page.locator(`tr[data-device-id="${deviceId}"]`);
    await row.locator('text=connected').waitFor();
    await page
      .locator('.card', { hasText: 'Devices' })
      .locator('.value', { hasText: '1' })
      .waitFor();
    expect(await page.evaluate("sessionStorage.getItem('iag.apiKey')")).toBe(operatorKey);
  });

  it('shows a freshly injected anomaly without reloading, and acknowledges it', async () => {
    await page.click('#nav a[href="#/anomalies"]');
    await page.locator('#live.is-live').waitFor();
    await page.evaluate('window.unreloaded = true'); // a reload would forget it

    await publish(75); // the injected fault
    const row = page.locator('tr[data-anomaly-id]', { hasText: deviceId });
    await row.waitFor();
    expect(await row.locator('.metrics').textContent()).toMatch(/^temp/);
    expect(await row.getAttribute('data-status')).toBe('open');
    expect(await page.evaluate('window.unreloaded')).toBe(true);

    const id = await row.getAttribute('data-anomaly-id');
    await row.locator('button', { hasText: 'Acknowledge' }).click();
    await page
      .locator('tr[data-status="acknowledged"]', { hasText: deviceId })
      .waitFor({ state: 'attached' });
    await page.locator('#toast', { hasText: 'acknowledged' }).waitFor();
    const stored = await gateway.http(`/api/v1/anomalies?deviceId=${deviceId}`);
    expect(stored.body.items[0]).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'night-shift',
    });
    expect(stored.body.items[0].id).toBe(id);

    const file = join(screenshots, 'anomalies.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  it('charts the device with the episode shaded and its metric named', async () => {
    for (let i = 0; i < 5; i++) await publish(21 + 0.1 * Math.sin(i)); // the episode closes
    await page.click(`a[href="#/devices/${deviceId}"]`);
    await page.locator('.chart[data-metric="temp"] canvas').waitFor();
    await page.locator('.chart[data-metric="hum"] canvas').waitFor();
    const episode = page.locator('.episodes li').first();
    await episode.waitFor();
    expect(await episode.textContent()).toMatch(/temp \d+%/);

    const file = join(screenshots, 'device.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  it('never puts the API key in a URL', () => {
    expect(requestedUrls.length).toBeGreaterThan(5);
    expect(requestedUrls.filter((url) => url.includes(operatorKey))).toEqual([]);
  });
});
