import { Counter, Gauge, Histogram } from 'prom-client';

export const pointsWritten = new Counter({
  name: 'iag_influx_points_written_total',
  help: 'Telemetry points InfluxDB confirmed.',
});

export const writeErrors = new Counter({
  name: 'iag_influx_write_errors_total',
  help: 'Failed telemetry batch writes; kind=retried (kept in the spool and retried: the retry count) or rejected (refused by InfluxDB for its content, dropped).',
  labelNames: ['kind'] as const,
});

for (const kind of ['retried', 'rejected']) writeErrors.labels(kind).inc(0);

export const writeDuration = new Histogram({
  name: 'iag_influx_write_duration_seconds',
  help: 'Duration of one telemetry batch write to InfluxDB, failures included.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const queryDuration = new Histogram({
  name: 'iag_influx_query_duration_seconds',
  help: 'Duration of one InfluxQL query (REST reads, start-up), failures included.',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const spoolAppendDuration = new Histogram({
  name: 'iag_spool_append_seconds',
  help: "From one event-loop turn of readings handed to the spool until the event loop takes up lmdb's answer that they are committed and fdatasynced: the part of a QoS 1 PUBACK that waits for the spool.",
  // Milliseconds matter here: a commit usually takes well under one.
  buckets: [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.5],
});

interface SpoolGaugeValues {
  readings: number;
  bytes: number;
  oldestAgeMs: number | null;
}

/** The spool gauges are read at scrape time from the writer that registered last (one per process). */
let spoolSource: (() => SpoolGaugeValues) | undefined;

export function observeSpool(source: () => SpoolGaugeValues): void {
  spoolSource = source;
}

export const spoolReadings = new Gauge({
  name: 'iag_spool_readings',
  help: 'Readings in the durable spool, not yet confirmed by InfluxDB.',
  collect() {
    this.set(spoolSource?.().readings ?? 0);
  },
});

export const spoolBytes = new Gauge({
  name: 'iag_spool_bytes',
  help: 'Bytes of the spooled readings, as counted against SPOOL_MAX_BYTES.',
  collect() {
    this.set(spoolSource?.().bytes ?? 0);
  },
});

export const spoolOldestAge = new Gauge({
  name: 'iag_spool_oldest_age_seconds',
  help: 'Age of the oldest spooled reading InfluxDB has not confirmed; 0 when empty.',
  collect() {
    this.set((spoolSource?.().oldestAgeMs ?? 0) / 1000);
  },
});
