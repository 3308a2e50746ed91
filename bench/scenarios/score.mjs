// score: the detector alone, windows/s at the batch sizes DetectionService hands it, in this process
// (no broker, no storage). Measures the z-score detector, and the detector the DetectionModule makes
// active (a model from --models when one is installed there) when that is a different one.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DIST, ROOT } from '../lib/paths.mjs';
import { correlatedReading, statePerDevice } from '../lib/detector-state.mjs';
import { log, runScenario } from '../lib/scenario.mjs';

const require = createRequire(import.meta.url);
const detection = require(join(DIST, 'libs/detection/src/index.js'));
const { ANOMALY_DETECTOR } = require(join(DIST, 'libs/detection/src/detection.constants.js'));
const { ConfigModule, GatewayConfig } = require(join(DIST, 'libs/config/src/index.js'));

const METRICS = ['temp', 'hum', 'pressure'];

/** A pool of readings per device: noise around a per-device level, increasing ts. */
function readingPool(devices, perDevice, metrics = METRICS, stepMs = 1000) {
  const pool = [];
  const t0 = Date.now() - 86_400_000;
  for (let n = 0; n < perDevice; n++) {
    for (let d = 0; d < devices; d++) {
      const values = {};
      metrics.forEach(
        (m, k) => (values[m] = 20 * (k + 1) + d / 100 + Math.round(Math.random() * 20) / 10),
      );
      pool.push({ deviceId: `dev-${d}`, reading: { ts: t0 + n * stepMs, values } });
    }
  }
  return pool;
}

/**
 * Feeds `pool` through scoreBatch in slices of `batch` for about `seconds`: windows per second,
 * and the share of them `scorer` (a detector id) scored itself (not the z-score fallback).
 */
async function scoreRate(detector, pool, batch, seconds, scorer = detector.id) {
  let windows = 0;
  let byScorer = 0;
  let offset = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    if (offset + batch > pool.length) offset = 0;
    const slice = pool.slice(offset, offset + batch);
    offset += batch;
    const scores = await detector.scoreBatch(slice);
    windows += slice.length;
    for (const score of scores) if ((score?.source?.id ?? detector.id) === scorer) byScorer++;
  }
  return { rate: windows / ((performance.now() - started) / 1000), share: byScorer / windows };
}

/**
 * The installed model the active detector routes to (MODELS_DIR/<name>/<version>/metadata.json,
 * newest version of the first name): its features, window and calibration decide the pool.
 */
function installedModel(modelsDir) {
  for (const name of readdirSync(modelsDir).sort()) {
    const versions = readdirSync(join(modelsDir, name)).filter((v) => /^\d+$/.test(v));
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    if (newest === undefined) continue;
    return JSON.parse(readFileSync(join(modelsDir, name, newest, 'metadata.json'), 'utf8'));
  }
  return null;
}

/** A pool of correlated readings (the multivariate detector's kind of device), increasing ts. */
function correlatedPool(devices, perDevice, metrics) {
  const pool = [];
  const t0 = Date.now() - 86_400_000;
  for (let n = 0; n < perDevice; n++) {
    for (let d = 0; d < devices; d++) {
      pool.push({
        deviceId: `dev-${d}`,
        // One a minute: the multivariate detector learns over 150 readings and 6 h of device time.
        reading: { ts: t0 + n * 60_000, values: correlatedReading(metrics, n, d) },
      });
    }
  }
  return pool;
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
    'The detectors alone: windows (one reading of one device) scored per second: the z-score detector on 3 metrics over 1000 devices, the multivariate detector on 8 correlated metrics over 500 and on 64 over 20, the installed model on its features over 100; and what each keeps per device.',
  options: {
    devices: { type: 'string', default: '1000', help: 'devices in the pool' },
    seconds: { type: 'string', default: '3', help: 'seconds per measurement' },
    batches: { type: 'string', default: '64,512,2048', help: 'scoreBatch sizes measured' },
    'multivariate-devices': {
      type: 'string',
      default: '500,20',
      help: 'devices in the pools for the multivariate detector at 8 and at 64 metrics',
    },
    'model-devices': {
      type: 'string',
      default: '100',
      help: 'devices in the pool for the installed model (its readings carry its features)',
    },
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
    // The model path: readings carrying the model's features, past its per-device calibration
    // and first window, for fewer devices (a pool of 1000 x ~950 readings would not help).
    const model = active && active.detector.id !== 'zscore' ? installedModel(opts.models) : null;
    const modelDevices = Number(opts['model-devices']);
    const calibration =
      model?.normalization?.mode === 'per-device' ? model.normalization.calibrationReadings : 0;
    const modelWarmup = model ? Math.max(calibration + model.windowSize + 1, 361) : 0;
    // One a minute, so the multivariate detector beside the model has learned by the timed part.
    const modelPool = model
      ? readingPool(modelDevices, Math.max(modelWarmup, 361) + 200, model.features, 60_000)
      : null;
    const [mv8, mv64] = opts['multivariate-devices'].split(',').map(Number);
    // Readings a device sending one a minute takes to learn: 150, and 6 h of its time.
    const learn = Math.max(
      config.detector.multivariate?.learnReadings ?? 150,
      Math.ceil((config.detector.multivariate?.learnMs ?? 0) / 60_000),
    );
    const multivariate = [
      { metrics: 8, devices: mv8, pool: correlatedPool(mv8, learn + 300, 8) },
      { metrics: 64, devices: mv64, pool: correlatedPool(mv64, learn + 300, 64) },
    ];
    return {
      config,
      active,
      pool,
      model,
      modelPool,
      modelWarmup,
      modelDevices,
      multivariate,
      learn,
    };
  },
  async run(opts, _ctx, state) {
    const { config, active, pool, model, modelPool, modelWarmup, modelDevices } = state;
    const seconds = Number(opts.seconds);
    const runs = [
      {
        detector: new detection.StreamingZScoreDetector(config.detector),
        pool,
        warmup: Number(opts.devices) * (config.detector.learnReadings + 1),
        scorer: 'zscore',
        scorerId: 'zscore',
      },
    ];
    for (const { metrics, devices, pool: mvPool } of state.multivariate) {
      runs.push({
        detector: new detection.SubspaceDetector({ learnReadings: state.learn }),
        pool: mvPool,
        warmup: devices * (state.learn + 1),
        scorer: `multivariate (${metrics} metrics)`,
        scorerId: 'multivariate',
      });
    }
    if (model) {
      runs.push({
        detector: active.detector,
        pool: modelPool,
        warmup: modelDevices * modelWarmup,
        scorer: `${model.name}/${model.version}`,
        scorerId: model.name,
      });
    }
    const result = {};
    for (const { detector, pool, warmup, scorer, scorerId } of runs) {
      // past learning and calibration, so every timed window gets a score
      for (let i = 0; i < warmup; i += 4096) {
        await detector.scoreBatch(pool.slice(i, Math.min(i + 4096, warmup)));
      }
      const timed = pool.slice(warmup);
      const figures = {};
      for (const batch of opts.batches.split(',').map(Number)) {
        const { rate, share } = await scoreRate(detector, timed, batch, seconds, scorerId);
        figures[`batch${batch}`] = rate;
        figures[`share${batch}`] = share;
      }
      if (detector.id === 'zscore' || detector.id === model?.name) {
        const fresh =
          detector.id === 'zscore'
            ? new detection.StreamingZScoreDetector(config.detector)
            : detector;
        figures.service = await serviceRate(fresh, config, pool, seconds);
      }
      result[scorer] = figures;
    }
    // State per device: the z-score detector and the multivariate one, at 8 and at 64 metrics.
    for (const metrics of [8, 64]) {
      const sizes = { devices: metrics === 8 ? 200 : 20, metrics, readings: state.learn + 100 };
      const z = await statePerDevice(
        () => new detection.StreamingZScoreDetector(config.detector),
        sizes,
      );
      const mv = await statePerDevice(
        () => new detection.SubspaceDetector({ learnReadings: state.learn }),
        sizes,
      );
      result[`state${metrics}`] = {
        zscoreHeap: z.heap,
        multivariateHeap: mv.heap,
        multivariateTyped: mv.typed,
      };
    }
    return result;
  },
  teardown: (state) => state?.active?.close(),
  summarize: (m, opts) => {
    const table = [];
    for (const [id, figures] of Object.entries(m)) {
      if (id.startsWith('state')) continue;
      for (const batch of opts.batches.split(',')) {
        const value = figures[`batch${batch}`];
        const target = batch === '2048' ? { target: '>= 500000', met: value >= 500_000 } : {};
        table.push({
          figure: `${id}: windows/s, scoreBatch of ${batch}`,
          gateway: value,
          ...target,
        });
        if (id !== 'zscore' && figures[`share${batch}`] !== undefined) {
          table.push({
            figure: `${id}: share of those windows the model scored (not the z-score fallback)`,
            gateway: figures[`share${batch}`],
          });
        }
      }
      if (figures.service !== undefined) {
        table.push({
          figure: `${id}: windows/s through DetectionService (queue + episodes)`,
          gateway: figures.service,
        });
      }
    }
    for (const metrics of [8, 64]) {
      const s = m[`state${metrics}`];
      table.push(
        {
          figure: `state per device, ${metrics} metrics: z-score detector (V8 heap, bytes)`,
          gateway: s.zscoreHeap,
        },
        {
          figure: `state per device, ${metrics} metrics: multivariate detector (V8 heap, bytes)`,
          gateway: s.multivariateHeap,
        },
        {
          figure: `state per device, ${metrics} metrics: multivariate detector (its typed arrays, bytes)`,
          gateway: s.multivariateTyped,
        },
      );
    }
    return { table };
  },
});
