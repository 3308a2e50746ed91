import {
  DetectionException,
  initTfBackend,
  listModelDirs,
  readModelMetadata,
} from '@iag/detection';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabException } from '../lab.exception';
import { importModel, ImportOptions } from './model-import';

const KERAS3 = join(__dirname, '../../../../test/fixtures/models/valid/keras3_dense/1');
const root = mkdtempSync(join(tmpdir(), 'iag-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function options(overrides: Partial<ImportOptions> = {}): ImportOptions {
  return {
    source: KERAS3,
    modelsDir: join(root, 'models'),
    name: 'pumps',
    features: ['temp', 'hum'],
    windowSize: 4,
    normalization: { mode: 'global', mean: [21, 40], std: [1, 2] },
    threshold: 0.001,
    ...overrides,
  };
}

/** A converter output directory holding only model.json (and the weights, unless told). */
function converted(withWeights: boolean): string {
  const dir = mkdtempSync(join(root, 'converted-'));
  copyFileSync(join(KERAS3, 'model.json'), join(dir, 'model.json'));
  if (withWeights)
    copyFileSync(join(KERAS3, 'group1-shard1of1.bin'), join(dir, 'group1-shard1of1.bin'));
  return dir;
}

describe(importModel.name, () => {
  beforeAll(() => initTfBackend('wasm'));

  it('creates the next version with its metadata, checked by scoring a window', async () => {
    const first = await importModel(options({ source: converted(true) }));
    expect(first.version).toBe('1');
    expect(first.check).toHaveLength(2);
    expect(first.check.every((e) => Number.isFinite(e) && e >= 0)).toBe(true);
    const meta = await readModelMetadata(first.dir);
    expect(meta).toMatchObject({
      name: 'pumps',
      version: '1',
      kind: 'autoencoder',
      features: ['temp', 'hum'],
      windowSize: 4,
      threshold: 0.001,
      normalization: { mode: 'global', mean: [21, 40], std: [1, 2], calibrationReadings: 100 },
      trainedOn: { source: 'import' },
    });
    expect(readdirSync(first.dir).sort()).toEqual([
      'group1-shard1of1.bin',
      'metadata.json',
      'model.json',
    ]);
    const second = await importModel(options({ episode: { openAfter: 2, closeAfter: 4 } }));
    expect(second.version).toBe('2');
    expect((await readModelMetadata(second.dir)).episode).toEqual({ openAfter: 2, closeAfter: 4 });
  });

  it.each([
    ['no model.json', () => options({ source: join(root, 'nowhere') }), /has no model\.json/],
    [
      'a weight file missing',
      () => options({ source: converted(false) }),
      /lacks group1-shard1of1\.bin/,
    ],
    [
      'normalization for another feature count',
      () => options({ normalization: { mode: 'global', mean: [21], std: [1, 2] } }),
      /bad options: normalization\.mean has 1 values for 2 features/,
    ],
    [
      'an unknown normalization mode',
      () => options({ normalization: { mode: 'minmax', mean: [0, 0], std: [1, 1] } }),
      /bad options: normalization\.mode/,
    ],
  ])('refuses %s, naming it', async (_case, make, problem) => {
    const error = await importModel(make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabException);
    expect((error as Error).message).toMatch(problem);
  });

  it('refuses features that do not match the model input, and leaves no version behind', async () => {
    const modelsDir = join(root, 'mismatch');
    mkdirSync(modelsDir);
    const error = await importModel(
      options({
        modelsDir,
        features: ['temp', 'hum', 'co2'],
        normalization: { mode: 'global', mean: [0, 0, 0], std: [1, 1, 1] },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetectionException);
    expect((error as Error).message).toMatch(
      /input shape \[null,8\] does not match 3 features x window 4/,
    );
    expect(listModelDirs(modelsDir)).toEqual([]);
    expect(readdirSync(modelsDir)).toEqual([]);
  });
});
