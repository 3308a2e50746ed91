import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';

export const apiAuthFailures = new Counter({
  name: 'iag_api_auth_failures_total',
  help: 'REST requests refused by authentication or role, by reason',
  labelNames: ['reason'] as const,
});

export const apiSseClients = new Gauge({
  name: 'iag_api_sse_clients',
  help: 'Clients currently subscribed to the anomaly stream',
});

/** Process metrics (CPU, memory, event loop) with the iag_ prefix; safe to call more than once. */
export function startDefaultMetrics(): void {
  if (register.getSingleMetric('iag_process_cpu_user_seconds_total')) return;
  collectDefaultMetrics({ prefix: 'iag_' });
}
