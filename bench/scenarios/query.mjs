// query: REST reads under the paced ingest load: GET /api/v1/anomalies and a device's last minute of
// telemetry, each driven by autocannon for a third of the run while 1000 devices send 10 msg/s.
import autocannon from 'autocannon';
import { delay } from '../lib/child-process.mjs';
import { deviceIds } from '../lib/devices.mjs';
import { BENCH_ADMIN_KEY } from '../lib/gateway.mjs';
import { ingestScenario } from '../lib/ingest-scenario.mjs';
import { runScenario } from '../lib/scenario.mjs';

const headers = { authorization: `Bearer ${BENCH_ADMIN_KEY}` };

async function hammer(url, seconds, connections, path) {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
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

/** A third of the run warms up (episodes open, series fill), then a third per endpoint. */
async function queries(opts, gateway) {
  const third = Math.max(2, Math.floor(Number(opts.duration) / 3));
  await delay(third * 1000);
  const ids = deviceIds(Number(opts.devices));
  const pick = () => ids[Math.floor(Math.random() * ids.length)];
  const connections = Number(opts.connections);
  const anomalies = await hammer(
    gateway.httpUrl,
    third - 1,
    connections,
    () => '/api/v1/anomalies?limit=50',
  );
  const telemetry = await hammer(
    gateway.httpUrl,
    third - 1,
    connections,
    () => `/api/v1/devices/${pick()}/telemetry?from=${Date.now() - 60_000}`,
  );
  return { anomalies, telemetry };
}

await runScenario(
  ingestScenario({
    name: 'query',
    description:
      'REST reads (autocannon) under the paced load: GET /api/v1/anomalies?limit=50, then GET ' +
      '/api/v1/devices/{random}/telemetry for the last minute (about 600 readings).',
    mode: 'paced',
    options: {
      rate: { type: 'string', default: '10', help: 'messages per second per device' },
      connections: { type: 'string', default: '10', help: 'concurrent HTTP connections' },
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
    load: (opts) => ({ rate: Number(opts.rate) }),
    during: queries,
    summarize: (m) => {
      const g = m.gateway ?? {};
      const a = g.during?.anomalies ?? {};
      const t = g.during?.telemetry ?? {};
      const failures = (a.non2xx ?? 0) + (a.errors ?? 0) + (t.non2xx ?? 0) + (t.errors ?? 0);
      return {
        table: [
          { figure: 'GET /anomalies req/s', gateway: a.perSec },
          { figure: 'GET /anomalies p50 (ms)', gateway: a.p50Ms },
          {
            figure: 'GET /anomalies p99 (ms)',
            gateway: a.p99Ms,
            target: '<= 20',
            met: a.p99Ms <= 20,
          },
          { figure: 'GET /devices/{id}/telemetry req/s', gateway: t.perSec },
          { figure: 'GET /devices/{id}/telemetry p50 (ms)', gateway: t.p50Ms },
          {
            figure: 'GET /devices/{id}/telemetry p99 (ms)',
            gateway: t.p99Ms,
            target: '<= 20',
            met: t.p99Ms <= 20,
          },
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
