export { DetectionModule } from './detection.module';
export { DetectionService } from './detection.service';
export type { AnomalyDetector, DeviceWindow, WindowScore, ScoreSource } from './detector.port';
export { StreamingZScoreDetector } from './zscore/streaming-zscore.detector';
export { SubspaceDetector, MULTIVARIATE_DETECTOR_ID } from './subspace/subspace.detector';
export { routingDetector } from './routing/routing-detector.factory';
// What the trainer fits a fleet subspace with, exactly as the gateway builds and scores it.
export { featureRowsOf } from './subspace/learning-buffer';
export { SubspaceBasis } from './subspace/subspace-basis';
export type { BasisState } from './subspace/subspace-basis';
export { SubspaceModel, SUBSPACE_FILE } from './subspace/subspace-model';
export { DEFAULT_SUBSPACE_OPTIONS } from './subspace/subspace-options';
export { ModelRoutingDetector } from './routing/model-routing.detector';
export { EpisodeTracker } from './episodes/episode-tracker';
export { DetectionException, DetectionExceptionCode } from './detection.exception';
export {
  ACTIVE_FILE,
  ModelRegistry,
  readActiveVersions,
  servingOrder,
  toView as toModelView,
} from './model/model-registry';
export { DetectionPipeline } from './detection-pipeline';
export { loadServedModel } from './model/model-artifact';
export type { ServedModel } from './model/served-model';
export type { ModelMetadata } from './model/model-metadata';
export { DEFAULT_MAX_CARRY_FORWARD, parseModelMetadata } from './model/model-metadata';
export { readModelMetadata, METADATA_FILE, MODEL_FILE } from './model/model-artifact';
export { listModelDirs, nextVersion, compareVersions } from './model/model-dirs';
export type { ServableModel } from './model/loaded-model';
// The trainer wraps a network it has just trained (libs/detection-lab); the gateway only loads artifacts.
export { LoadedModel } from './model/loaded-model';
export { autoencoderDetector, openModel } from './autoencoder/autoencoder.detector';
// The windowing and per-device scaling the gateway scores with, so training normalises exactly alike.
export { FeatureWindow } from './autoencoder/feature-window';
export { DeviceCalibration, scalingReadingsOf } from './autoencoder/normalization';
export { initTfBackend } from './tf/tf-backend';
export type { BackendPreference } from './tf/tf-backend';
export { seededRandom } from './util/seeded-random';
