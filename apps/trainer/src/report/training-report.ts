import { DeviceSeries, SubspaceTrainResult, TrainResult } from '@iag/detection-lab';
import { labelRuns } from '../evaluation/csv-evaluation';
import { histogram, scoreChart, writeReport } from './html-report';

export interface ScoredPreview {
  deviceId: string;
  readings: DeviceSeries['readings'];
  labels: Uint8Array | null;
  scores: Float64Array;
}

/** Loss curves, one device's score over time (labelled rows shaded), the validation error histogram. */
export function writeTrainingReport(
  path: string,
  result: TrainResult,
  series: DeviceSeries[],
  preview: ScoredPreview,
): Promise<string> {
  const meta = result.model.metadata;
  const epochs = result.history.loss.map((_, i) => i + 1);
  return writeReport(path, {
    title: `Training: ${meta.name}/${meta.version}`,
    summary: {
      model: `${meta.name}/${meta.version}`,
      features: meta.features.join(', '),
      'window size': meta.windowSize,
      normalization: meta.normalization.mode,
      devices: series.length,
      readings: series.reduce((n, s) => n + s.readings.length, 0),
      'training / validation windows': `${result.windows.train} / ${result.windows.validation}`,
      epochs: result.history.loss.length,
      'final loss / val_loss': `${result.history.loss.at(-1)?.toPrecision(4)} / ${result.history.valLoss.at(-1)?.toPrecision(4)}`,
      threshold: `${meta.threshold.toPrecision(4)} (quantile ${String(meta.trainedOn.thresholdQuantile)} of validation error)`,
    },
    charts: [
      {
        kind: 'lines',
        title: 'Loss per epoch',
        time: false,
        x: epochs,
        series: [
          { label: 'loss', values: result.history.loss },
          { label: 'val_loss', values: result.history.valLoss },
        ],
        logY: true,
      },
      previewChart(preview),
      {
        kind: 'histogram',
        title: 'Validation reconstruction error (MSE per window)',
        ...histogram(result.validationErrors, 60, meta.threshold * 3),
        threshold: meta.threshold,
      },
    ],
  });
}

/** A subspace model's report: what it was fitted to, and one device's score over time. */
export function writeSubspaceReport(
  path: string,
  result: SubspaceTrainResult,
  series: DeviceSeries[],
  preview: ScoredPreview,
): Promise<string> {
  const meta = result.model.metadata;
  return writeReport(path, {
    title: `Training: ${meta.name}/${meta.version} (subspace)`,
    summary: {
      model: `${meta.name}/${meta.version}`,
      kind: 'subspace (PCA of each feature and its step, standardised per device)',
      features: meta.features.join(', '),
      devices: series.length,
      readings: series.reduce((n, s) => n + s.readings.length, 0),
      'rows fitted (every feature present)': result.rows.reduce((a, b) => a + b, 0),
      'principal components kept': result.components,
      'calibration per device': `${meta.normalization.calibrationReadings} readings (centre and scale from two thirds, its own limits from the rest)`,
    },
    charts: [previewChart(preview)],
  });
}

/** One device's score over time, labelled rows shaded. */
function previewChart(preview: ScoredPreview) {
  return scoreChart(
    `Score over time, device ${preview.deviceId} (1.0 = threshold; labelled rows shaded)`,
    preview.readings.map((r) => r.ts),
    preview.scores,
    1,
    preview.labels ? labelRuns(preview.labels) : [],
  );
}
