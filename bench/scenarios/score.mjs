// score: the detector alone, windows/s at the batch sizes DetectionService hands it, in this process
// (no broker, no storage). Measures the z-score detector, and the detector the DetectionModule makes
// active (a model from --models when one is installed there) when that is a different one.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DIST, ROOT } from '../lib/paths.mjs';
import { log, runScenario } from '../lib/scenario.mjs';

const require = createRequire(import.meta.url);
const detection = require(join(DIST, 'libs/detection/src/index.js'));
const { ANOMALY_DETECTOR } = require(join(DIST, 'libs/detection/src/detection.constants.js'));
const { ConfigModule, GatewayConfig } = require(join(DIST, 'libs/config/src/index.js'));

const METRICS = ['temp', 'hum', 'pressure'];

/** A pool of readings per device: noise around a per-device level, increasing ts. */
function readingPool(devices, perDevice) {
  const pool = [];
  const t0 = Date.now() - 86_400_000;
  for (let n = 0; n < perDevice; n++) {
    for (let d = 0; d < devices; d++) {
      const values = {};
      METRICS.forEach(
        (m, k) => (values[m] = 20 * (k + 1) + d / 100 + Math.round(Math.random() * 20) / 10),
      );
      pool.push({ deviceId: `dev-${d}`, reading: { ts: t0 + n * 1000, values } });
    }
  }
  return pool;
}

/** Feeds `pool` through scoreBatch in slices of `batch` for about `seconds`; windows per second. */
async function scoreRate(detector, pool, batch, seconds) {
  let windows = 0;
  let offset = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    if (offset + batch > pool.length) offset = 0;
    const slice = pool.slice(offset, offset + batch);
    offset += batch;
    await detector.scoreBatch(slice);
    windows += slice.length;
  }
  return windows / ((performance.now() - started) / 1000);
}

/** The whole DetectionService path (queue, per-device ordering, episodes) on top of a detector. */
async function serviceRate(detector, config, pool, seconds) {
  const service = new detection.DetectionService(config, detector);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let i = 0;
  while (performance.now() < deadline) {
    for (let k = 0; k < 2048; k++, i++) {
      const { deviceId, reading } = pool[i % pool.length];
      service.submit(deviceId, [
        { ts: reading.ts + Math.floor(i / pool.length) * 86_400_000, values: reading.values },
      ]);
    }
    await service.flush();
  }
  const { scored } = service.stats();
  await service.onModuleDestroy();
  return scored / ((performance.now() - started) / 1000);
}

/** The detector DetectionModule wires as ANOMALY_DETECTOR for this configuration (issue 3's model, later). */
async function activeDetector(config) {
  const { NestFactory } = require(join(ROOT, 'node_modules/@nestjs/core'));
  const { Module } = require(join(ROOT, 'node_modules/@nestjs/common'));
  class ScoreBenchModule {}
  Module({ imports: [ConfigModule.forRoot(config), detection.DetectionModule] })(ScoreBenchModule);
  const app = await NestFactory.createApplicationContext(ScoreBenchModule, { logger: false });
  await app.init();
  return { detector: app.get(ANOMALY_DETECTOR, { strict: false }), close: () => app.close() };
}

await runScenario({
  name: 'score',
  description:
    'The detector alone: windows (one reading of one device, 3 metrics) scored per second, 1000 devices.',
  options: {
    devices: { type: 'string', default: '1000', help: 'devices in the pool' },
    seconds: { type: 'string', default: '3', help: 'seconds per measurement' },
    batches: { type: 'string', default: '64,512,2048', help: 'scoreBatch sizes measured' },
    models: {
      type: 'string',
      default: join(ROOT, 'models'),
      help: 'MODELS_DIR for the active detector',
    },
  },
  async setup(opts) {
    const config = GatewayConfig.fromEnv({ MODELS_DIR: opts.models });
    const active = await activeDetector(config).catch((error) => {
      log(
        'score',
        `DetectionModule could not be started (${error.message}); measuring zscore only`,
      );
      return null;
    });
    const pool = readingPool(Number(opts.devices), 200);
    return { config, active, pool };
  },
  async run(opts, _ctx, { config, active, pool }) {
    const seconds = Number(opts.seconds);
    const detectors = [new detection.StreamingZScoreDetector(config.detector)];
    if (active && active.detector.id !== 'zscore') detectors.push(active.detector);
    const result = {};
    for (const detector of detectors) {
      const warmup = pool.slice(0, Number(opts.devices) * (config.detector.learnReadings + 1));
      await detector.scoreBatch(warmup); // past learning, so every timed window gets a score
      const figures = {};
      for (const batch of opts.batches.split(',').map(Number)) {
        figures[`batch${batch}`] = await scoreRate(detector, pool, batch, seconds);
      }
      const fresh =
        detector.id === 'zscore'
          ? new detection.StreamingZScoreDetector(config.detector)
          : detector;
      figures.service = await serviceRate(fresh, config, pool, seconds);
      result[detector.id] = figures;
    }
    return result;
  },
  teardown: (state) => state?.active?.close(),
  summarize: (m, opts) => {
    const table = [];
    for (const [id, figures] of Object.entries(m)) {
      for (const batch of opts.batches.split(',')) {
        const value = figures[`batch${batch}`];
        const target = batch === '2048' ? { target: '>= 500000', met: value >= 500_000 } : {};
        table.push({
          figure: `${id}: windows/s, scoreBatch of ${batch}`,
          gateway: value,
          ...target,
        });
      }
      table.push({
        figure: `${id}: windows/s through DetectionService (queue + episodes)`,
        gateway: figures.service,
      });
    }
    return { table };
  },
});
