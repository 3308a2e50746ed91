import { GatewayConfig } from '@iag/config';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceWindow } from '../detector.port';
import { DetectionExceptionCode } from '../detection.exception';
import { ModelRegistry } from '../model/model-registry';
import { describeDetectorContract } from '../testing/detector-contract';
import { StreamingZScoreDetector } from '../zscore/streaming-zscore.detector';
import { ModelRoutingDetector } from './model-routing.detector';

const FIXTURES = join(__dirname, '../../../../test/fixtures/models');
const T0 = Date.UTC(2026, 0, 1);

function zscore(): StreamingZScoreDetector {
  return new StreamingZScoreDetector({ learnReadings: 30, zThreshold: 6 });
}

function windows(
  deviceId: string,
  values: Record<string, number>[],
  from = 0,
  profile: string | null = null,
): DeviceWindow[] {
  return values.map((v, i) => ({
    deviceId,
    profile,
    reading: { ts: T0 + (from + i) * 1000, values: v },
  }));
}

/** keras_dense: window 4 (3 readings to fill it), then 33 windows learn the device's own limits. */
const CALIBRATING = 3 + 33;

const steady = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ temp: 21 + 0.02 * (i % 5), hum: 40 + 0.03 * (i % 5) }));

// With no model active it is the z-score detector, contract and all.
describeDetectorContract(`${ModelRoutingDetector.name} without models`, {
  create: () => new ModelRoutingDetector(zscore()),
  learnReadings: 30,
});

describe(ModelRoutingDetector.name, () => {
  let root: string;
  let router: ModelRoutingDetector;
  let registry: ModelRegistry;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'iag-models-'));
    // One valid model: the Keras 3 fixtures read the same features and would compete for devices.
    cpSync(join(FIXTURES, 'valid/keras_dense'), join(root, 'models/keras_dense'), {
      recursive: true,
    });
    cpSync(join(FIXTURES, 'invalid'), join(root, 'models'), { recursive: true });
    const config = GatewayConfig.fromEnv({
      MODELS_DIR: join(root, 'models'),
      DATA_DIR: join(root, 'data'),
      MODEL_BACKEND: 'wasm',
    });
    router = new ModelRoutingDetector(zscore());
    registry = new ModelRegistry(config, router);
    await registry.onApplicationBootstrap();
  });

  afterEach(() => {
    for (const model of router.active().values()) model.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the valid models at start and leaves out the invalid ones', async () => {
    expect([...router.active().keys()]).toEqual(['keras_dense']);
    expect(router.isReady()).toBe(true);
    const listed = await registry.list();
    expect(listed.map((m) => [m.name, m.version, m.active])).toEqual([
      ['bad_json', '1', false],
      ['graph_model', '1', false],
      ['keras_dense', '1', true],
      ['missing_weights', '1', false],
      ['wrong_shape', '1', false],
    ]);
  });

  it('routes by profile, else by metric names, else to the z-score fallback', async () => {
    const n = CALIBRATING + 1;
    const results = await router.scoreBatch([
      ...windows('by-metrics', steady(n)),
      ...windows(
        'by-profile',
        steady(4).map(({ temp }) => ({ temp })),
        0,
        'keras_dense',
      ),
      ...windows(
        'fallback',
        steady(31).map(({ temp }) => ({ temp })),
      ),
    ]);
    expect(results[n - 1]!.source).toMatchObject({ id: 'keras_dense', version: '1' });
    expect(results[n + 3]).toBeNull(); // by profile, but hum is missing: its window is skipped
    expect(results.at(-1)!.source).toMatchObject({ id: 'zscore', version: null });
  });

  it('lets the z-score detector score what a model cannot yet (hum missing, window not ready)', async () => {
    const tempOnly = steady(40).map(({ temp }) => ({ temp }));
    const results = await router.scoreBatch(windows('no-hum', tempOnly, 0, 'keras_dense'));
    expect(results[29]).toBeNull(); // the z-score detector is still learning too
    expect(results[35]!.source).toMatchObject({ id: 'zscore' });
    const mixed = await router.scoreBatch(
      windows('no-hum', steady(CALIBRATING + 1), 40, 'keras_dense'),
    );
    // Its window full again, then its own limits learned: the model scores.
    expect(mixed.at(-1)!.source).toMatchObject({ id: 'keras_dense' });
  });

  it('keeps the z-score fallback learning from the readings the model scores', async () => {
    const fallback = zscore();
    const local = new ModelRoutingDetector(fallback);
    local.activate(router.active().get('keras_dense')!);
    const scored = await local.scoreBatch(windows('dev', steady(200)));
    expect(scored.slice(CALIBRATING).every((s) => s!.source!.id === 'keras_dense')).toBe(true);
    // Every reading reached the fallback's baselines, though it scored only while the model calibrated.
    expect(fallback.baseline('dev', 'temp')).toMatchObject({ count: 200, learning: false });
    expect(scored.slice(0, 3)).toEqual([null, null, null]); // both still learning there
    expect(scored[CALIBRATING - 1]!.source).toMatchObject({ id: 'zscore' });
    // hum goes missing beyond the carry-forward bound: the fallback scores, already warm.
    const tempOnly = await local.scoreBatch(
      windows(
        'dev',
        steady(4).map(({ temp }) => ({ temp })),
        200,
      ),
    );
    expect(tempOnly[3]!.source).toMatchObject({ id: 'zscore' });
    expect(tempOnly[3]!.score).toBeLessThan(1);
  });

  it('refuses an invalid version with the problem named and keeps the active one', async () => {
    for (const [name, problem] of [
      ['bad_json', /not valid JSON/],
      ['missing_weights', /weights missing/],
      ['wrong_shape', /does not match 3 features/],
    ] as const) {
      await expect(registry.activate(name, '1')).rejects.toMatchObject({
        code: DetectionExceptionCode.INVALID_MODEL,
        message: expect.stringMatching(problem),
      });
    }
    await expect(registry.activate('keras_dense', '9')).rejects.toMatchObject({
      code: DetectionExceptionCode.MODEL_NOT_FOUND,
    });
    expect([...router.active().keys()]).toEqual(['keras_dense']);
  });

  it('hot-swaps a version between batches and keeps the device window when the shape is the same', async () => {
    cpSync(join(root, 'models/keras_dense/1'), join(root, 'models/keras_dense/2'), {
      recursive: true,
    });
    const meta = join(root, 'models/keras_dense/2/metadata.json');
    writeFileSync(meta, readFileSync(meta, 'utf8').replace('"version": "1"', '"version": "2"'));
    const before = await router.scoreBatch(windows('dev', steady(CALIBRATING + 1)));
    expect(before.at(-1)!.source!.version).toBe('1');
    await registry.activate('keras_dense', '2');
    const [next] = await router.scoreBatch(windows('dev', steady(1), CALIBRATING + 1));
    // Scored at once: the window carried over, and so did the device's limits.
    expect(next!.source!.version).toBe('2');
    expect(router.active().get('keras_dense')!.metadata.version).toBe('2');
  });
});
