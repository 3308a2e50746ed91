export { IngestionModule, TelemetryPipelineModule } from './ingestion.module';
export { TelemetryIngestor } from './telemetry-ingestor';
export { AlertRelay } from './alert-relay';
export { DeviceActivity } from './device-activity';
export { signWebhook, verifyWebhook, WEBHOOK_HEADERS } from './webhooks/webhook-signature';
