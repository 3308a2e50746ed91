export { StorageModule } from './storage.module';
export { ManagedInfluxd } from './influxd/managed-influxd';
export type { ManagedInfluxdOptions } from './influxd/managed-influxd';
export {
  generateCredentials,
  readCredentialsFile,
  readManagedInfluxdAccess,
} from './influxd/influxd-credentials';
export type { InfluxCredentials, ManagedInfluxdAccess } from './influxd/influxd-credentials';
export { InfluxHealth } from './influx/influx-health';
export type { InfluxPing } from './influx/influx-health';
export { TelemetryWriter } from './telemetry/telemetry-writer';
export type { TelemetryWriterStats } from './telemetry/telemetry-writer';
export { TelemetryRepository } from './telemetry/telemetry.repository';
export { InfluxConnection } from './influx/influx-connection';
export type { InfluxSettings, InfluxTarget } from './influx/influx-connection';
export type { TelemetryQueryOptions, TelemetryFn } from './telemetry/telemetry-query';
export { AnomalyEventLog } from './anomalies/anomaly-event-log';
export type { LoggedAnomalyEvent, AnomalyEventReplay } from './anomalies/anomaly-event-log';
export { AnomalyRepository } from './anomalies/anomaly.repository';
export type { AnomalyFindQuery, AnomalyPage } from './anomalies/anomaly.repository';
export { DeviceRegistry } from './devices/device.registry';
export type { DeviceRecord, DeviceActivity } from './devices/device.registry';
export { DeviceMetricNames } from './devices/device-metric-names';
export type { DeviceMetricGate } from './devices/device-metric-names';
export { ApiKeyStore } from './keys/api-key.store';
export { StorageException, StorageExceptionCode } from './storage.exception';
export { backoffDelay } from './telemetry/backoff';
export type { BackoffPolicy } from './telemetry/backoff';
