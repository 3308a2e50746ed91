import { Module } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { ANOMALY_DETECTOR } from './detection.constants';
import { DetectionService } from './detection.service';
import { StreamingZScoreDetector } from './zscore/streaming-zscore.detector';

/**
 * Streaming anomaly detection. A static module, so every importer shares one DetectionService.
 * The zero-config z-score detector is the default; a model-backed detector plugs in at ANOMALY_DETECTOR.
 */
@Module({
  providers: [
    {
      provide: ANOMALY_DETECTOR,
      useFactory: (config: GatewayConfig) => new StreamingZScoreDetector(config.detector),
      inject: [GatewayConfig],
    },
    DetectionService,
  ],
  exports: [DetectionService],
})
export class DetectionModule {}
