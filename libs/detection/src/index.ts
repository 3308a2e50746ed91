export { DetectionModule } from './detection.module';
export { DetectionService } from './detection.service';
export type { AnomalyDetector, DeviceWindow, WindowScore, ScoreSource } from './detector.port';
export { StreamingZScoreDetector } from './zscore/streaming-zscore.detector';
export { EpisodeTracker } from './episodes/episode-tracker';
export { DetectionException, DetectionExceptionCode } from './detection.exception';
export { ModelRegistry } from './model/model-registry';
