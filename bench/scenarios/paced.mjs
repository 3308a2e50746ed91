// paced: 1000 devices x 10 msg/s QoS 1 (10k msg/s), 30 s; ack latency is the figure that matters.
import { costRows, ingestScenario } from '../lib/ingest-scenario.mjs';
import { runScenario } from '../lib/scenario.mjs';

await runScenario(
  ingestScenario({
    name: 'paced',
    description: '1000 devices x 10 msg/s, QoS 1 (10,000 msg/s offered), 30 s per run.',
    mode: 'paced',
    options: {
      rate: {
        type: 'string',
        default: '10',
        help: 'messages per second per device',
      },
    },
    load: (opts) => ({ rate: Number(opts.rate) }),
    summarize: (m) => {
      const g = m.gateway ?? {};
      const q = m.mosquitto ?? {};
      return {
        table: [
          {
            figure: 'msg/s acknowledged',
            gateway: g.ackedPerSec,
            mosquitto: q.ackedPerSec,
          },
          {
            figure: 'msg/s stored and scored (gateway) / routed (Mosquitto)',
            gateway: g.verifiedPerSec,
            mosquitto: q.routedPerSec,
          },
          {
            figure: 'acknowledged readings lost (not stored or not scored)',
            gateway: g.lost,
            target: '0',
            met: g.lost === 0,
          },
          {
            figure: 'ack latency p50 (ms)',
            gateway: g.ackP50Ms,
            mosquitto: q.ackP50Ms,
          },
          {
            figure: 'ack latency p99 (ms)',
            gateway: g.ackP99Ms,
            mosquitto: q.ackP99Ms,
            target: '<= 10',
            met: g.ackP99Ms <= 10,
          },
          ...costRows(g, q),
        ],
      };
    },
  }),
);
