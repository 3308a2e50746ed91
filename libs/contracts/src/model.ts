import { z } from 'zod';
import { pageSchema } from './paging';
import { isoTimeSchema, responseShape } from './rest-registry';

/** Model names double as profile names (a model serves a profile); versions are directory names. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export type NormalizationMode = 'global' | 'per-device';

/** How a model did on held-out labelled data (written by the trainer's evaluate step). */
export const modelEvaluationSchema = responseShape(
  z
    .object({
      dataset: z.string(),
      precision: z.number(),
      recall: z.number(),
      f1: z.number(),
      falseAlarmRate: z.number(),
      missedAlarmRate: z.number(),
    })
    .catchall(z.unknown()),
  { id: 'ModelEvaluation' },
);
export type ModelEvaluation = z.output<typeof modelEvaluationSchema>;

/** One model version in the registry, as GET /api/v1/models shows it. */
export const modelViewSchema = responseShape(
  z.object({
    name: z.string().describe('Model name = the profile it serves'),
    version: z.string(),
    features: z.array(z.string()),
    windowSize: z.number().int(),
    threshold: z.number().describe('Reconstruction error (MSE) that scores 1.0'),
    normalization: z.enum(['global', 'per-device'] satisfies NormalizationMode[]),
    evaluation: modelEvaluationSchema.nullable(),
    createdAt: isoTimeSchema,
    active: z.boolean().describe('This version scores live traffic for its profile'),
  }),
  { id: 'Model' },
);
export type ModelView = z.output<typeof modelViewSchema>;

export const modelPageSchema = responseShape(pageSchema(modelViewSchema), {
  id: 'ModelPage',
  description: 'Model versions by name, then version, ascending',
});
export type ModelPage = z.output<typeof modelPageSchema>;

/** The order models page in: by name, then by version as a number (2 before 10). */
export function modelPageKey(model: Pick<ModelView, 'name' | 'version'>): string {
  return `${model.name} ${model.version.padStart(12, '0')}`;
}
