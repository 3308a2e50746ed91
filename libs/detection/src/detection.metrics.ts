import { Counter, Gauge, Histogram } from 'prom-client';

/** Why a submitted reading got no score. */
export type UnscoredReason = 'late' | 'overload' | 'learning' | 'error' | 'forgotten';

export const readingsScored = new Counter({
  name: 'iag_readings_scored_total',
  help: 'Readings that received an anomaly score',
});

export const readingsUnscored = new Counter({
  name: 'iag_readings_unscored_total',
  help: 'Readings submitted for detection that got no score, by reason',
  labelNames: ['reason'] as const,
});

export const scoringBatchSize = new Histogram({
  name: 'iag_scoring_batch_size',
  help: 'Readings per detector scoreBatch call',
  buckets: [1, 4, 16, 64, 256, 1024, 2048],
});

export const scoringDuration = new Histogram({
  name: 'iag_scoring_duration_seconds',
  help: 'Time spent in one detector scoreBatch call',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
});

export const anomaliesOpened = new Counter({
  name: 'iag_anomalies_opened_total',
  help: 'Anomaly episodes opened, by severity at opening',
  labelNames: ['severity'] as const,
});

// both severities start at 0, so an alert rule sees the series before the first anomaly
for (const severity of ['warning', 'critical']) anomaliesOpened.labels(severity).inc(0);

export const openEpisodes = new Gauge({
  name: 'iag_open_episodes',
  help: 'Anomaly episodes currently open',
});

export const detectorMetricsSkipped = new Counter({
  name: 'iag_detector_metrics_skipped_total',
  help: 'Metric values not scored because their device already has the most metrics a detector tracks',
});

export const modelWindowsSkipped = new Counter({
  name: 'iag_model_windows_skipped_total',
  help: 'Model windows not scored because a metric was missing beyond the carry-forward bound',
});

export const modelPredictRows = new Histogram({
  name: 'iag_model_predict_rows',
  help: 'Windows per model predict call (micro-batched across devices)',
  buckets: [1, 4, 16, 64, 256, 512, 1024, 2048],
});

export const modelActivations = new Counter({
  name: 'iag_model_activations_total',
  help: 'Model activations, by outcome',
  labelNames: ['outcome'] as const,
});
