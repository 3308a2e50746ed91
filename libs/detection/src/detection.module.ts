import { Module } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { ANOMALY_DETECTOR, MODEL_ROUTER } from './detection.constants';
import { DetectionService } from './detection.service';
import { ModelRegistry } from './model/model-registry';
import { routingDetector } from './routing/routing-detector.factory';

/**
 * Streaming anomaly detection. A static module, so every importer shares one DetectionService.
 * Devices are scored by the active model of their profile (ModelRegistry, MODELS_DIR) or, with
 * no matching model, by the zero-config z-score detector.
 */
@Module({
  providers: [
    {
      provide: MODEL_ROUTER,
      useFactory: (config: GatewayConfig) => routingDetector(config.detector),
      inject: [GatewayConfig],
    },
    { provide: ANOMALY_DETECTOR, useExisting: MODEL_ROUTER },
    ModelRegistry,
    DetectionService,
  ],
  exports: [DetectionService, ModelRegistry],
})
export class DetectionModule {}
