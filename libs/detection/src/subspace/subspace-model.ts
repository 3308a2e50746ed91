import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DetectionException, DetectionExceptionCode } from '../detection.exception';
import { ServableModel } from '../model/loaded-model';
import { ModelMetadata } from '../model/model-metadata';
import { SubspaceBasis } from './subspace-basis';
import { SubspaceDetector } from './subspace.detector';
import { DEFAULT_SUBSPACE_OPTIONS } from './subspace-options';

/** A subspace model's fitted state, next to its metadata.json. */
export const SUBSPACE_FILE = 'subspace.json';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const basisSchema = z.object({
  center: z.array(finite),
  scale: z.array(finite.refine((v) => v > 0, 'must be > 0')),
  constant: z.array(z.boolean()),
  covariance: z.array(finite),
});
const artifactSchema = z.object({ format: z.literal('iag-subspace-1'), basis: basisSchema });
export type SubspaceArtifact = z.infer<typeof artifactSchema>;

/**
 * A trained subspace model: what the fleet's devices share (the relation between their
 * standardised features, as a covariance) is learned by the trainer; each device recentres it on
 * its first calibrationReadings readings (centre and scale from two thirds, its own limits from
 * the rest). It scores a device's readings itself, without TF.js.
 */
export class SubspaceModel implements ServableModel {
  readonly detector: SubspaceDetector;

  constructor(
    readonly metadata: ModelMetadata,
    basis: SubspaceBasis,
  ) {
    this.detector = new SubspaceDetector(
      { residualT2: false },
      {
        features: metadata.features,
        basis,
        calibrationReadings: metadata.normalization.calibrationReadings,
      },
      metadata.episode
        ? { id: metadata.name, version: metadata.version, episode: metadata.episode }
        : { id: metadata.name, version: metadata.version },
    );
  }

  get key(): string {
    return `${this.metadata.name}/${this.metadata.version}`;
  }

  dispose(): void {
    // Plain typed arrays: nothing to release.
  }
}

/** Reads a subspace model's subspace.json; every problem is INVALID_MODEL naming it. */
export async function loadSubspaceModel(
  dir: string,
  metadata: ModelMetadata,
): Promise<SubspaceModel> {
  const invalid = (problem: string) =>
    new DetectionException(
      DetectionExceptionCode.INVALID_MODEL,
      `model ${metadata.name}/${metadata.version}: ${problem}`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, SUBSPACE_FILE), 'utf8'));
  } catch (error) {
    throw invalid(`${SUBSPACE_FILE} cannot be read: ${(error as Error).message}`);
  }
  const parsed = artifactSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw invalid(`${SUBSPACE_FILE}: ${problems.join('; ')}`);
  }
  const { basis } = parsed.data;
  const width = 2 * metadata.features.length; // each feature's value, then its step
  const varying = basis.constant.filter((c) => !c).length;
  if (
    basis.center.length !== width ||
    basis.scale.length !== width ||
    basis.constant.length !== width ||
    basis.covariance.length !== (varying * (varying + 1)) / 2
  ) {
    throw invalid(
      `${SUBSPACE_FILE} does not fit ${metadata.features.length} features (expected ${width} values per vector)`,
    );
  }
  return new SubspaceModel(metadata, SubspaceBasis.restore(basis, DEFAULT_SUBSPACE_OPTIONS));
}
