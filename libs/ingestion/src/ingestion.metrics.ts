import { Counter, Gauge } from 'prom-client';
import { RejectionCode } from '@iag/contracts';

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
  help: 'Anomaly events a relay step failed for, by step (store, log, publish)',
  labelNames: ['step'] as const,
});
export const webhookDeliveries = new Counter({
  name: 'iag_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome (delivered, retried, failed, dropped)',
  labelNames: ['outcome'] as const,
});
export const webhookQueueDepth = new Gauge({
  name: 'iag_webhook_queue_depth',
  help: 'Anomaly events waiting for webhook delivery, all URLs together',
});

/** Every known label value starts at 0, so a rate() or an alert rule sees the series before the first event. */
for (const code of Object.values(RejectionCode)) readingsRejected.labels(code).inc(0);
readingsDropped.labels('spool_full').inc(0);
for (const type of ['opened', 'updated', 'closed']) alertsPublished.labels(type).inc(0);
for (const step of ['store', 'log', 'publish']) alertFailures.labels(step).inc(0);
for (const outcome of ['delivered', 'retried', 'failed', 'dropped']) {
  webhookDeliveries.labels(outcome).inc(0);
}
