import { DeviceSeries, TrainResult } from '@iag/detection';
import { histogram, writeReport } from './html-report';

/** Loss curves and the validation error histogram with the chosen threshold. */
export function writeTrainingReport(
  path: string,
  result: TrainResult,
  series: DeviceSeries[],
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
      {
        kind: 'histogram',
        title: 'Validation reconstruction error (MSE per window)',
        ...histogram(result.validationErrors, 60, meta.threshold * 3),
        threshold: meta.threshold,
      },
    ],
  });
}
