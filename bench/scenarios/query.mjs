// query: REST reads under the paced ingest load: GET /api/v1/anomalies and a device's last minute of
// telemetry while 1000 devices send 10 msg/s. Each endpoint is measured twice: at a steady request
// rate (an operator's dashboards; latency is the figure) and saturated by N connections
// (capacity; latency there is mostly queueing behind the other connections).
import autocannon from 'autocannon';
import { delay } from '../lib/child-process.mjs';
import { deviceIds } from '../lib/devices.mjs';
import { BENCH_ADMIN_KEY, scrapeMetrics } from '../lib/gateway.mjs';
import { ingestScenario } from '../lib/ingest-scenario.mjs';
import { runScenario } from '../lib/scenario.mjs';
import { bucketQuantileMs, histogramDelta } from '../lib/stats.mjs';

const headers = { authorization: `Bearer ${BENCH_ADMIN_KEY}` };

async function hammer(url, seconds, connections, path, overallRate = undefined) {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    overallRate,
    requests: [
      { method: 'GET', headers, setupRequest: (request) => ({ ...request, path: path() }) },
    ],
  });
  return {
    requests: result.requests.total,
    perSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const ROUTES = {
  anomalies: '/api/v1/anomalies',
  telemetry: '/api/v1/devices/:id/telemetry',
};

/**
 * The gateway's own view of a measurement (iag_http_request_duration_seconds, arrival to last
 * byte): the bucket holding its p99 and the share within 20 ms. What autocannon sees on top is time
 * before the gateway reads the request (its event loop busy, or its process not scheduled).
 */
function serverLatency(before, after, route) {
  const buckets = histogramDelta(
    before,
    after,
    'iag_http_request_duration_seconds',
    `route="${route}"`,
  );
  const count = buckets.get(Infinity) ?? 0;
  if (count === 0) return {};
  // Measurements run one endpoint at a time, so every InfluxDB query meanwhile is this endpoint's.
  const influx = histogramDelta(before, after, 'iag_influx_query_duration_seconds');
  return {
    serverP99AtMostMs: bucketQuantileMs(buckets, 0.99),
    serverShareWithin20Ms: (buckets.get(0.02) ?? 0) / count,
    influxP99AtMostMs: bucketQuantileMs(influx, 0.99),
  };
}

/**
 * One run's phases, inside the load's --duration: a warm-up (episodes open, series fill), each
 * endpoint at the steady rate, then each saturated. The steady phases get what is left: a p99 of
 * 450 requests (9 s at 50 req/s, as before) moved by ±15 ms between sets; 30 s gives 1500.
 */
const WARMUP_S = 10;
const SATURATED_S = 10;
const SLACK_S = 2; // the load outlasts the last measurement

function phases(opts) {
  const total = Number(opts.duration);
  const steady = Math.floor((total - WARMUP_S - 2 * SATURATED_S - SLACK_S) / 2);
  const least = WARMUP_S + 2 * SATURATED_S + SLACK_S + 2 * 5;
  if (!(steady >= 5))
    throw new Error(`query: --duration ${opts.duration} is too short; give >= ${least}`);
  return { steady, saturated: SATURATED_S };
}

async function queries(opts, gateway) {
  const { steady: steadySeconds, saturated: saturatedSeconds } = phases(opts);
  await delay(WARMUP_S * 1000);
  const ids = deviceIds(Number(opts.devices));
  const pick = () => ids[Math.floor(Math.random() * ids.length)];
  const paths = {
    anomalies: () => '/api/v1/anomalies?limit=50',
    telemetry: () => `/api/v1/devices/${pick()}/telemetry?from=${Date.now() - 60_000}`,
  };
  const rate = Number(opts['query-rate']);
  const connections = Number(opts.connections);
  const steady = {};
  const saturated = {};
  for (const [name, path] of Object.entries(paths)) {
    const before = await scrapeMetrics(gateway.httpUrl);
    steady[name] = await hammer(gateway.httpUrl, steadySeconds, 2, path, rate);
    const after = await scrapeMetrics(gateway.httpUrl);
    Object.assign(steady[name], serverLatency(before, after, ROUTES[name]));
  }
  for (const [name, path] of Object.entries(paths)) {
    saturated[name] = await hammer(gateway.httpUrl, saturatedSeconds, connections, path);
  }
  return { steady, saturated };
}

await runScenario(
  ingestScenario({
    name: 'query',
    description:
      'REST reads (autocannon) under the paced load: GET /api/v1/anomalies?limit=50 and GET ' +
      '/api/v1/devices/{random}/telemetry for the last minute (about 600 readings), each at a ' +
      'steady rate over 2 connections, then saturated.',
    mode: 'paced',
    options: {
      rate: { type: 'string', default: '10', help: 'messages per second per device' },
      duration: {
        type: 'string',
        default: '92',
        help: `seconds of load per run: ${WARMUP_S} s warm-up, then each endpoint steady (half of what is left after ${WARMUP_S + 2 * SATURATED_S + SLACK_S} s), then each saturated for ${SATURATED_S} s`,
      },
      'query-rate': {
        type: 'string',
        default: '50',
        help: 'requests per second in the steady measurement (the p99 target is judged on it)',
      },
      connections: {
        type: 'string',
        default: '10',
        help: 'concurrent HTTP connections in the saturated measurement',
      },
      'spike-every': {
        type: 'string',
        default: '500',
        help: "a device's every Nth reading is a spike (0 = none)",
      },
      'no-mosquitto': {
        type: 'boolean',
        default: true,
        help: 'Mosquitto has no REST side: skipped by default',
      },
    },
    load: (opts) => {
      phases(opts); // a --duration too short fails here, before the fleet connects
      return { rate: Number(opts.rate) };
    },
    during: queries,
    summarize: (m, opts) => {
      const g = m.gateway ?? {};
      const all = [g.during?.steady, g.during?.saturated].flatMap((d) => Object.values(d ?? {}));
      const failures = all.reduce((sum, r) => sum + (r.non2xx ?? 0) + (r.errors ?? 0), 0);
      const rows = (name, label) => {
        const steady = g.during?.steady?.[name] ?? {};
        const saturated = g.during?.saturated?.[name] ?? {};
        return [
          { figure: `${label} p50 (ms), ${opts['query-rate']} req/s`, gateway: steady.p50Ms },
          {
            figure: `${label} p99 (ms), ${opts['query-rate']} req/s`,
            gateway: steady.p99Ms,
            target: '<= 20',
            met: steady.p99Ms <= 20,
          },
          {
            figure: `${label} p99 (ms) inside the gateway, ${opts['query-rate']} req/s (histogram bucket: at most)`,
            gateway: steady.serverP99AtMostMs,
          },
          {
            figure: `… of which InfluxDB's answer: p99 (ms, histogram bucket: at most)`,
            gateway: steady.influxP99AtMostMs,
          },
          {
            figure: `${label} req/s, saturated (${opts.connections} connections)`,
            gateway: saturated.perSec,
          },
          { figure: `${label} p99 (ms), saturated`, gateway: saturated.p99Ms },
        ];
      };
      return {
        table: [
          ...rows('anomalies', 'GET /anomalies'),
          ...rows('telemetry', 'GET /devices/{id}/telemetry'),
          {
            figure: 'non-2xx answers + errors',
            gateway: failures,
            target: '0',
            met: failures === 0,
          },
          { figure: 'ingest msg/s acknowledged meanwhile', gateway: g.ackedPerSec },
          {
            figure: 'ingest ack latency p99 (ms) meanwhile, after warm-up',
            gateway: g.steadyAckP99Ms,
          },
          { figure: 'acknowledged readings lost', gateway: g.lost, target: '0', met: g.lost === 0 },
        ],
      };
    },
  }),
);
