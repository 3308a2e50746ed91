// flood and paced: the same frame (dedicated influxd, provisioned fleet, gateway run then Mosquitto run).
import { join } from 'node:path';
import { provisionedFleet } from './devices.mjs';
import { startInfluxd } from './influxd.mjs';
import { measureGateway, measureMosquitto } from './ingest.mjs';
import { onPath } from '../../scripts/lib/prerequisites.mjs';
import { log } from './scenario.mjs';
import { fmt, ratio } from './stats.mjs';

export const INGEST_OPTIONS = {
  devices: {
    type: 'string',
    default: '1000',
    help: 'connected devices, one MQTT connection each',
  },
  duration: { type: 'string', default: '30', help: 'seconds of load per run' },
  warmup: {
    type: 'string',
    default: '5',
    help: 'first seconds of the load left out of the steady-state ack latency (not of the rates)',
  },
  generators: {
    type: 'string',
    default: '3',
    help: 'load-generator processes',
  },
  'generator-nice': {
    type: 'string',
    default: '0',
    help:
      'nice value of the load generators, for gateway and Mosquitto alike (0: the same priority ' +
      'as the broker; > 0 gives the broker the CPU first, as when the devices are other machines)',
  },
  qos: { type: 'string', default: '1', help: 'QoS of the telemetry publishes' },
  'spike-every': {
    type: 'string',
    default: '5000',
    help: "a device's every Nth reading is a spike (0 = none)",
  },
  'no-mosquitto': {
    type: 'boolean',
    default: false,
    help: 'skip the Mosquitto reference run',
  },
};

/**
 * @param {{ name: string, description: string, mode: string, options?: object, load: Function,
 *   during?: Function, summarize: Function }} scenario
 */
export function ingestScenario({ name, description, mode, options = {}, load, during, summarize }) {
  return {
    name,
    description,
    options: { ...INGEST_OPTIONS, ...options },
    async setup(opts, ctx) {
      const influx = await startInfluxd(join(ctx.workDir, 'influxd'));
      const fleetInfo = await provisionedFleet(Number(opts.devices), influx.url);
      if (fleetInfo.provisionSeconds !== null) {
        log(
          name,
          `provisioned ${opts.devices} devices through the REST API in ${fleetInfo.provisionSeconds.toFixed(1)} s`,
        );
      }
      const withMosquitto = !opts['no-mosquitto'] && onPath('mosquitto');
      if (!opts['no-mosquitto'] && !withMosquitto)
        log(name, 'mosquitto is not installed: no reference run');
      return {
        influx,
        fleetInfo,
        withMosquitto,
        provisionSeconds: fleetInfo.provisionSeconds,
      };
    },
    async run(opts, ctx, state, i) {
      const common = {
        load: {
          mode,
          durationMs: Number(opts.duration) * 1000,
          warmupMs: Number(opts.warmup) * 1000,
          qos: Number(opts.qos),
          spikeEvery: Number(opts['spike-every']),
          ...load(opts),
        },
        generators: Number(opts.generators),
        generatorNice: Number(opts['generator-nice']),
      };
      const gateway = await measureGateway({
        ...common,
        influx: state.influx,
        fleetInfo: state.fleetInfo,
        runDir: join(ctx.workDir, `gateway-${i + 1}`),
        database: `bench_${name}_${i + 1}`,
        cpuProfileDir: ctx.cpuProfileDir,
        during: during && ((gateway) => during(opts, gateway, state)),
      });
      const mosquitto = state.withMosquitto
        ? await measureMosquitto({
            ...common,
            runDir: join(ctx.workDir, `mosquitto-${i + 1}`),
            devices: state.fleetInfo.devices,
          })
        : undefined;
      if (!mosquitto) return { gateway };
      // Ratios within each run (same machine state), so their median is not a ratio of medians.
      const vsMosquitto = {
        rate: ratio(gateway.verifiedPerSec, mosquitto.routedPerSec),
        cpuPerMsg: ratio(gateway.cpuUsPerMsg, mosquitto.cpuUsPerMsg),
      };
      return { gateway, mosquitto, vsMosquitto };
    },
    teardown: (state) => state?.influx.stop(),
    summarize,
  };
}

/** Throughput rows: acknowledged, and verified stored and scored (routed, for Mosquitto). */
export function rateRows(g, q, storedTarget = {}) {
  return [
    { figure: 'msg/s acknowledged', gateway: g.ackedPerSec, mosquitto: q.ackedPerSec },
    {
      figure: 'msg/s stored and scored (gateway) / routed (Mosquitto)',
      gateway: g.verifiedPerSec,
      mosquitto: q.routedPerSec,
      ...storedTarget,
    },
  ];
}

/**
 * Loss and ack latency rows flood and paced share (the p99 target is paced's, judged on the
 * steady state: acks of messages sent after the warm-up; the whole run's p99 is shown too).
 */
export function deliveryRows(g, q, p99Target = {}) {
  return [
    {
      figure: 'acknowledged readings lost (not stored or not scored)',
      gateway: g.lost,
      target: '0',
      met: g.lost === 0,
    },
    {
      figure: 'ack latency p50 (ms), after warm-up',
      gateway: g.steadyAckP50Ms,
      mosquitto: q.steadyAckP50Ms,
    },
    {
      figure: 'ack latency p99 (ms), after warm-up',
      gateway: g.steadyAckP99Ms,
      mosquitto: q.steadyAckP99Ms,
      ...p99Target,
    },
    { figure: 'ack latency p99 (ms), whole run', gateway: g.ackP99Ms, mosquitto: q.ackP99Ms },
    {
      figure: 'ack latency max (ms), after warm-up',
      gateway: g.steadyAckMaxMs,
      mosquitto: q.steadyAckMaxMs,
    },
    {
      figure:
        '… inside the gateway, PUBLISH parsed to PUBACK written: p50 / p99 (ms, bucket: at most)',
      gateway: pair(g.insidePubackP50AtMostMs, g.insidePubackP99AtMostMs),
    },
    {
      figure:
        '… of which waiting for the spool (commit, fdatasync, answer taken up): p50 / p99 (ms, bucket: at most)',
      gateway: pair(g.spoolAppendP50AtMostMs, g.spoolAppendP99AtMostMs),
    },
  ];
}

/** Two medians in one cell; a run without the histogram (an older gateway) shows nothing. */
function pair(a, b) {
  return a === undefined || b === undefined ? undefined : `${fmt(a)} / ${fmt(b)}`;
}

/** The cost rows flood and paced share: CPU per message (target optional), what else ran, stalls, memory. */
export function costRows(g, q, cpuTarget = {}) {
  return [
    {
      figure: 'broker process CPU µs per message',
      gateway: g.cpuUsPerMsg,
      mosquitto: q.cpuUsPerMsg,
      ...cpuTarget,
    },
    {
      figure: '… of which in the kernel (socket I/O)',
      gateway: g.kernelCpuUsPerMsg,
      mosquitto: q.kernelCpuUsPerMsg,
    },
    {
      figure: 'influxd CPU µs per message (gateway run)',
      gateway: g.influxdCpuUsPerMsg,
    },
    {
      figure: 'load generators CPU µs per message',
      gateway: g.generatorsCpuUsPerMsg,
      mosquitto: q.generatorsCpuUsPerMsg,
    },
    {
      figure: 'machine CPU busy during the load (%)',
      gateway: g.machineBusyPercent,
      mosquitto: q.machineBusyPercent,
    },
    { figure: 'gateway event-loop delay p99 (ms), after warm-up', gateway: g.eventLoopP99Ms },
    { figure: 'gateway event-loop delay max (ms), after warm-up', gateway: g.eventLoopMaxMs },
    { figure: 'gateway GC time during the run (s)', gateway: g.gcSeconds },
    {
      figure: 'peak RSS (MiB)',
      gateway: g.rssPeakMiB,
      mosquitto: q.rssPeakMiB,
    },
  ];
}
