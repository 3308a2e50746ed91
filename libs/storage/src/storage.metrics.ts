import { Counter, Gauge, Histogram } from 'prom-client';

export const pointsWritten = new Counter({
  name: 'iag_influx_points_written_total',
  help: 'Telemetry points InfluxDB confirmed.',
});

export const writeErrors = new Counter({
  name: 'iag_influx_write_errors_total',
  help: 'Failed telemetry batch writes; kind=retried (kept and retried) or rejected (refused by InfluxDB, dropped).',
  labelNames: ['kind'] as const,
});

for (const kind of ['retried', 'rejected']) writeErrors.labels(kind).inc(0);

export const writeDuration = new Histogram({
  name: 'iag_influx_write_duration_seconds',
  help: 'Duration of one telemetry batch write to InfluxDB, failures included.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const bufferedPoints = new Gauge({
  name: 'iag_writer_buffered_points',
  help: 'Telemetry points buffered and not yet confirmed by InfluxDB.',
});
