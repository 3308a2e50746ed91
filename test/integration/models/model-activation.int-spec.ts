import { initTfBackend } from '@iag/detection';
import { trainAutoencoder } from '@iag/detection-lab';
import { MqttClient } from 'mqtt';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvSeries } from '../../../apps/trainer/src/data/csv-series';
import { connectDevice } from '../../support/mqtt-clients';
import { pollUntil } from '../../support/poll-until';
import { testDir } from '../../support/test-config';
import { metricValue, startTestGateway, TestGateway } from '../../support/test-gateway';

const FIXTURES = join(__dirname, '../../fixtures/models');
const PROFILE = 'thermo';
const DEVICE = 'thermo-7';

/** The normal behaviour of a thermostat: two correlated metrics with a slow cycle, a little noise. */
function normal(i: number): { temp: number; hum: number } {
  const noise = (Math.sin(i * 12.9898) * 43758.5453) % 1;
  return {
    temp: 21 + Math.sin(i / 15) + 0.03 * noise,
    hum: 40 + 2 * Math.sin(i / 15) - 0.05 * noise,
  };
}

/** A labelled-free training CSV (ISO timestamps without a zone, as a spreadsheet exports them). */
function writeTrainingCsv(path: string): void {
  const t0 = Date.UTC(2026, 0, 1);
  const lines = ['timestamp;device;temp;hum'];
  for (let i = 0; i < 900; i++) {
    const { temp, hum } = normal(i);
    const ts = new Date(t0 + i * 60_000).toISOString().replace('T', ' ').replace('Z', '');
    lines.push(`${ts};train-${i % 3};${temp.toFixed(4)};${hum.toFixed(4)}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** What `npm run trainer -- train --csv ... --name thermo` does, in-process. */
async function train(csv: string, modelsDir: string, version: string, seed: number): Promise<void> {
  const data = await readCsvSeries(csv, { delimiter: ';', features: ['temp', 'hum'] });
  const result = await trainAutoencoder(data.series, {
    name: PROFILE,
    version,
    features: data.features,
    windowSize: 4,
    normalization: 'global',
    calibrationReadings: 50,
    epochs: 25,
    batchSize: 32,
    validationSplit: 0.2,
    patience: 0,
    seed,
    thresholdQuantile: 1,
  });
  await result.save(join(modelsDir, PROFILE, version));
  result.model.dispose();
}

describe('Model activation over REST while a device publishes', () => {
  let gateway: TestGateway;
  let device: MqttClient;
  let modelsDir: string;
  let csv: string;
  let closed = false;
  let sent = 0;
  const start = Date.now() - 60 * 60_000;

  async function publish(count: number, fault?: { hum: number }): Promise<number> {
    const readings = Array.from({ length: count }, (_, k) => {
      const i = sent + k;
      return { ts: start + i * 1000, ...normal(i), ...(fault ?? {}) };
    });
    await device.publishAsync(`devices/${DEVICE}/telemetry`, JSON.stringify(readings), { qos: 1 });
    sent += count;
    return readings[0].ts;
  }

  beforeAll(async () => {
    await initTfBackend('wasm');
    const dir = testDir('models-');
    modelsDir = join(dir, 'models');
    csv = join(dir, 'thermo.csv');
    writeTrainingCsv(csv);
    await train(csv, modelsDir, '1', 1);
    gateway = await startTestGateway({ MODELS_DIR: modelsDir, MODEL_BACKEND: 'wasm' });
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: DEVICE, profile: PROFILE },
    });
    expect(created.status).toBe(201);
    device = await connectDevice(gateway.mqttPort, DEVICE, created.body.token);
    device.on('close', () => (closed = true));
  });

  afterAll(async () => {
    device?.end(true);
    await gateway?.close();
  });

  it('serves the trained version for the device profile from the start', async () => {
    const models = await gateway.http('/api/v1/models', { key: null });
    expect(models.status).toBe(401);
    const listed = await gateway.http('/api/v1/models');
    expect(listed.body.nextCursor).toBeNull();
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        name: PROFILE,
        version: '1',
        active: true,
        features: ['temp', 'hum'],
        windowSize: 4,
      }),
    ]);
    for (let k = 0; k < 6; k++) await publish(20);
    // The model scores from its 21st reading on: 3 fill its window of 4, the next 17 windows (a third
    // of its 50 calibration readings) learn the device's own limits, while the z-score still learns.
    await pollUntil(
      () => metricValue(gateway, 'iag_readings_scored_total'),
      (n) => n >= 120 - 3 - 17,
    );
  });

  it('swaps in a new version mid-stream: no connection dropped, every reading scored, the fault scored by v2', async () => {
    const learningBefore = await metricValue(
      gateway,
      'iag_readings_unscored_total',
      'reason="learning"',
    );
    await train(csv, modelsDir, '2', 2);
    const publishing = (async () => {
      for (let k = 0; k < 10; k++) await publish(10);
    })();
    const activated = await gateway.http(`/api/v1/models/${PROFILE}/2/activate`, {
      method: 'POST',
    });
    await publishing;
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ name: PROFILE, version: '2', active: true });

    const faultTs = await publish(5, { hum: 60 });
    await publish(20);
    const found = await pollUntil(
      () => gateway.http(`/api/v1/anomalies?deviceId=${DEVICE}`),
      (r) =>
        r.body?.items?.some(
          (a: { startedAt: string }) => a.startedAt === new Date(faultTs).toISOString(),
        ),
      { timeoutMs: 20_000 },
    );
    const anomaly = found.body.items.find(
      (a: { startedAt: string }) => a.startedAt === new Date(faultTs).toISOString(),
    );
    expect(anomaly).toMatchObject({ deviceId: DEVICE, detector: PROFILE, modelVersion: '2' });
    expect(anomaly.metrics[0].name).toBe('hum');
    expect(anomaly.peakScore).toBeGreaterThan(1);
    expect(closed).toBe(false);
    expect(device.connected).toBe(true);
    // Same features and window: the device kept its window, so nothing waited to be scored.
    expect(await metricValue(gateway, 'iag_readings_unscored_total', 'reason="learning"')).toBe(
      learningBefore,
    );
  });

  it('refuses an invalid version with a 422 naming the problem, and keeps serving the active one', async () => {
    const bad = join(modelsDir, PROFILE, '3');
    cpSync(join(FIXTURES, 'invalid/bad_json/1'), bad, { recursive: true });
    const meta = join(bad, 'metadata.json');
    writeFileSync(
      meta,
      readFileSync(meta, 'utf8')
        .replace('"bad_json"', `"${PROFILE}"`)
        .replace('"version": "1"', '"version": "3"'),
    );
    const refused = await gateway.http(`/api/v1/models/${PROFILE}/3/activate`, { method: 'POST' });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/thermo\/3: model\.json is not valid JSON/);
    const missing = await gateway.http(`/api/v1/models/${PROFILE}/99/activate`, { method: 'POST' });
    expect(missing.status).toBe(404);
    const listed = await gateway.http('/api/v1/models');
    expect(
      listed.body.items
        .filter((m: { active: boolean }) => m.active)
        .map((m: { version: string }) => m.version),
    ).toEqual(['2']);
    // One version a page: the list pages as every list route does, by version.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await gateway.http(`/api/v1/models?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items).toHaveLength(1);
      paged.push(page.body.items[0].version);
      cursor = page.body.nextCursor;
    } while (cursor);
    const versions = listed.body.items.map((m: { version: string }) => m.version);
    expect(paged).toEqual(versions);
    expect(versions.slice(0, 2)).toEqual(['1', '2']);
    await publish(5);
    expect(device.connected).toBe(true);
  });

  it('lets a viewer list models but only an admin activate one', async () => {
    const created = await gateway.http('/api/v1/keys', {
      method: 'POST',
      body: { name: 'v', role: 'viewer' },
    });
    const viewer = created.body.key;
    expect((await gateway.http('/api/v1/models', { key: viewer })).status).toBe(200);
    expect(
      (await gateway.http(`/api/v1/models/${PROFILE}/1/activate`, { method: 'POST', key: viewer }))
        .status,
    ).toBe(403);
  });
});
