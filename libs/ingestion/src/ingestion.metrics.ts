import { Counter } from 'prom-client';

export const readingsAccepted = new Counter({
  name: 'iag_readings_accepted_total',
  help: 'Telemetry readings accepted (durably spooled for InfluxDB and queued for scoring)',
});
export const readingsDropped = new Counter({
  name: 'iag_readings_dropped_total',
  help: 'Valid readings not stored, by reason (spool_full: QoS 0 while the spool was full)',
  labelNames: ['reason'] as const,
});
export const readingsRejected = new Counter({
  name: 'iag_readings_rejected_total',
  help: 'Telemetry readings or messages rejected, by error code',
  labelNames: ['code'] as const,
});
export const alertsPublished = new Counter({
  name: 'iag_anomaly_events_total',
  help: 'Anomaly events stored and published on alerts/{deviceId}, by type',
  labelNames: ['type'] as const,
});
export const alertFailures = new Counter({
  name: 'iag_anomaly_event_failures_total',
  help: 'Anomaly events that could not be stored or published',
});
