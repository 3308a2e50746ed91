import { METRIC_NAME_PATTERN, MODEL_NAME_PATTERN, MODEL_VERSION_PATTERN } from '@iag/contracts';
import { z } from 'zod';

/** Missing metrics are carried forward from at most this many readings back, unless the model says otherwise. */
export const DEFAULT_MAX_CARRY_FORWARD = 3;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** metadata.json next to a model's model.json (DESIGN.md, Models). */
export const modelMetadataSchema = z
  .object({
    name: z.string().regex(MODEL_NAME_PATTERN, 'must be a model name like "default"'),
    /**
     * autoencoder: a TF.js layers model (model.json + weights), e.g. a converted Keras model;
     * subspace: the fleet's principal subspace of its features (subspace.json), fitted by the
     * trainer and recentred on each device.
     */
    kind: z.enum(['autoencoder', 'subspace']).default('autoencoder'),
    version: z.string().regex(MODEL_VERSION_PATTERN, 'must be a version like "3"'),
    features: z
      .array(z.string().regex(METRIC_NAME_PATTERN, 'must be metric names'))
      .min(1)
      .max(64)
      .refine((names) => new Set(names).size === names.length, 'must not repeat a metric'),
    windowSize: z.number().int().min(1).max(1024),
    normalization: z.object({
      mode: z.enum(['global', 'per-device']),
      mean: z.array(finite),
      std: z.array(finite.refine((v) => v > 0, 'must be > 0')),
      calibrationReadings: z.number().int().min(2).max(1_000_000),
    }),
    threshold: finite.refine((v) => v > 0, 'must be > 0'),
    episode: z
      .object({
        openAfter: z.number().int().min(1).max(1000),
        closeAfter: z.number().int().min(1).max(10_000),
      })
      .optional(),
    maxCarryForward: z.number().int().min(0).max(1000).default(DEFAULT_MAX_CARRY_FORWARD),
    trainedOn: z.record(z.string(), z.unknown()).default({}),
    evaluation: z.record(z.string(), z.unknown()).nullable().default(null),
    createdAt: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 time'),
  })
  .superRefine((meta, ctx) => {
    for (const key of ['mean', 'std'] as const) {
      if (meta.normalization[key].length !== meta.features.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['normalization', key],
          message: `has ${meta.normalization[key].length} values for ${meta.features.length} features`,
        });
      }
    }
  });

export type ModelMetadata = z.output<typeof modelMetadataSchema>;
export type ModelMetadataInput = z.input<typeof modelMetadataSchema>;

/** Parses metadata.json text; returns the problems in one line each, naming the field. */
export function parseModelMetadata(
  text: string,
): { ok: true; metadata: ModelMetadata } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `metadata.json is not valid JSON: ${(error as Error).message}` };
  }
  const result = modelMetadataSchema.safeParse(raw);
  if (result.success) return { ok: true, metadata: result.data };
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`);
  return { ok: false, problem: `metadata.json: ${problems.join('; ')}` };
}
