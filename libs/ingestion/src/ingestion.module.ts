import { Module } from '@nestjs/common';
import { BrokerModule } from '@iag/broker';
import { DetectionModule } from '@iag/detection';
import { ApiKeyStore, DeviceRegistry } from '@iag/storage';
import { AlertRelay } from './alert-relay';
import { DeviceActivity } from './device-activity';
import { TelemetryIngestor } from './telemetry-ingestor';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

/** The sink the broker hands telemetry to (kept apart so the broker can import it without a cycle). */
@Module({
  imports: [DetectionModule],
  providers: [TelemetryIngestor, DeviceActivity],
  exports: [TelemetryIngestor, DeviceActivity],
})
export class TelemetryPipelineModule {}

/** Wires broker, storage and detection together: the only place that knows all three. */
@Module({
  imports: [
    DetectionModule,
    TelemetryPipelineModule,
    BrokerModule.register({
      imports: [TelemetryPipelineModule],
      telemetrySink: TelemetryIngestor,
      deviceCredentials: DeviceRegistry,
      serviceCredentials: ApiKeyStore,
    }),
  ],
  providers: [AlertRelay, WebhookDispatcher],
  exports: [AlertRelay],
})
export class IngestionModule {}
