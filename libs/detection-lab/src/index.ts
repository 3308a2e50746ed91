// What only the trainer uses: training, evaluation, NAB scoring. The gateway never imports this lib.
export { LabException, LabExceptionCode } from './lab.exception';
export { trainAutoencoder } from './training/autoencoder-trainer';
export type { TrainOptions, TrainResult } from './training/autoencoder-trainer';
export type { DeviceSeries } from './training/window-dataset';
export { quantile } from './training/quantile';
export { writeEvaluation } from './model/model-evaluation';
export * from './evaluation/nab-scorer';
export * from './evaluation/threshold-sweep';
export { classify } from './evaluation/classification';
export type { ClassificationReport } from './evaluation/classification';
export { episodeMask, episodeOnsets } from './evaluation/episode-onsets';
export { scoreSeries } from './evaluation/score-series';
export { trainSubspace } from './training/subspace-trainer';
export type { SubspaceTrainOptions, SubspaceTrainResult } from './training/subspace-trainer';
export { replay, alarmsOf, REPLAY_BATCH } from './backtest/replay';
export type { ReplayDevice, ReplayedDevice } from './backtest/replay';
export { concat, summarise, runsOf } from './backtest/backtest-metrics';
export type { BacktestSummary, EventOutcome } from './backtest/backtest-metrics';
