/** Model names double as profile names (a model serves a profile); versions are directory names. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export type NormalizationMode = 'global' | 'per-device';

/** How a model did on held-out labelled data (written by the trainer's evaluate step). */
export interface ModelEvaluation {
  dataset: string;
  precision: number;
  recall: number;
  f1: number;
  falseAlarmRate: number;
  missedAlarmRate: number;
  [extra: string]: unknown;
}

/** One model version in the registry, as GET /api/v1/models shows it. */
export interface ModelView {
  name: string;
  version: string;
  features: string[];
  windowSize: number;
  threshold: number;
  normalization: NormalizationMode;
  evaluation: ModelEvaluation | null;
  createdAt: string;
  /** This version scores live traffic for its profile. */
  active: boolean;
}
