import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';

export const apiAuthFailures = new Counter({
  name: 'iag_api_auth_failures_total',
  help: 'REST requests refused by authentication or role, by reason',
  labelNames: ['reason'] as const,
});

export const apiAuthThrottled = new Counter({
  name: 'iag_api_auth_throttled_total',
  help: 'REST requests answered 429 because their address failed to authenticate too often',
});

export const apiSseClients = new Gauge({
  name: 'iag_api_sse_clients',
  help: 'Clients currently subscribed to the anomaly stream',
});

export const apiSseRefused = new Counter({
  name: 'iag_api_sse_refused_total',
  help: 'Anomaly streams refused (429) by the per-key or the global cap',
  labelNames: ['cap'] as const,
});

export const apiSseStalled = new Counter({
  name: 'iag_api_sse_stalled_total',
  help: 'Anomaly streams closed because their socket stayed unwritable past SSE_STALL_TIMEOUT_MS',
});

export const httpConnectionsDropped = new Counter({
  name: 'iag_http_connections_dropped_total',
  help: 'HTTP connections closed on arrival because HTTP_MAX_CONNECTIONS were open',
});

export const httpClientErrors = new Counter({
  name: 'iag_http_client_errors_total',
  help: 'HTTP connections closed for a client error before a request was read: timeout (headers or body too slow), header_overflow, malformed',
  labelNames: ['reason'] as const,
});

/** Every known label value starts at 0, so a rate() or an alert rule sees the series before the first event. */
for (const reason of ['missing', 'invalid', 'forbidden']) apiAuthFailures.labels(reason).inc(0);
for (const cap of ['per_key', 'global']) apiSseRefused.labels(cap).inc(0);
for (const reason of ['timeout', 'header_overflow', 'malformed']) {
  httpClientErrors.labels(reason).inc(0);
}

/** Process metrics (CPU, memory, event loop) with the iag_ prefix; safe to call more than once. */
export function startDefaultMetrics(): void {
  if (register.getSingleMetric('iag_process_cpu_user_seconds_total')) return;
  collectDefaultMetrics({ prefix: 'iag_' });
}
