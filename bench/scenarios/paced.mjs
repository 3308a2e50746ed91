// paced: 1000 devices x 10 msg/s QoS 1 (10k msg/s), 30 s; ack latency is the figure that matters.
import { costRows, deliveryRows, ingestScenario, rateRows } from '../lib/ingest-scenario.mjs';
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
          ...rateRows(g, q),
          ...deliveryRows(g, q, { target: '<= 10', met: g.steadyAckP99Ms <= 10 }),
          ...costRows(g, q),
        ],
      };
    },
  }),
);
