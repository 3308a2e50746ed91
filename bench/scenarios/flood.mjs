// flood: 1000 devices publish QoS 1 as fast as their acknowledgements allow (each next message on the
// previous PUBACK, --inflight per device), 30 s; the same load against Mosquitto in the same run.
import { costRows, deliveryRows, ingestScenario, rateRows } from '../lib/ingest-scenario.mjs';
import { runScenario } from '../lib/scenario.mjs';

await runScenario(
  ingestScenario({
    name: 'flood',
    description:
      '1000 devices, QoS 1, each sending its next reading on the PUBACK of the previous one, 30 s per run.',
    mode: 'flood',
    options: {
      inflight: {
        type: 'string',
        default: '1',
        help: 'unacknowledged messages per device',
      },
    },
    load: (opts) => ({ inflight: Number(opts.inflight) }),
    summarize: (m) => {
      const g = m.gateway ?? {};
      const q = m.mosquitto ?? {};
      const vsMosquitto = m.vsMosquitto?.rate ?? null;
      return {
        table: [
          ...rateRows(g, q, { target: '>= 30000', met: g.verifiedPerSec >= 30_000 }),
          {
            figure: 'gateway stored-and-scored rate / Mosquitto routed rate',
            gateway: vsMosquitto,
            target: '>= 0.9',
            met: vsMosquitto === null ? undefined : vsMosquitto >= 0.9,
          },
          ...deliveryRows(g, q),
          ...costRows(g, q, { target: '<= 25', met: g.cpuUsPerMsg <= 25 }),
          {
            figure: 'gateway CPU per message / Mosquitto CPU per message',
            gateway: m.vsMosquitto?.cpuPerMsg,
          },
        ],
      };
    },
  }),
);
