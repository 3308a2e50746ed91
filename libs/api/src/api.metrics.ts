import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';
import { readBuildInfo } from './observability/build-info';

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

/**
 * Process and Node metrics under their standard names (`process_cpu_seconds_total`,
 * `nodejs_eventloop_lag_seconds`, ...), so the usual Node.js dashboards and alert rules match them
 * as they are, and `iag_build_info`. Several gateways share one registry in a test run: registering
 * twice would throw, so a second call is a no-op.
 */
export function startDefaultMetrics(): void {
  if (register.getSingleMetric('iag_build_info')) return;
  collectDefaultMetrics();
  const info = readBuildInfo();
  new Gauge({
    name: 'iag_build_info',
    help: 'Always 1; the labels say which build runs: package version, git revision (unknown outside a checkout), Node.js version',
    labelNames: ['version', 'revision', 'node'] as const,
  }).set(info, 1);
}
