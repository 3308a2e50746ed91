// One measured run of an ingest load (flood or paced) against the gateway, and the same load against
// Mosquitto as the routing-only reference.
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { delay, pollUntil } from './child-process.mjs';
import { formatTop, profileOf, topFrames } from './cpu-profile.mjs';
import { startWithFleet } from './devices.mjs';
import { startFleet } from './fleet.mjs';
import { metricSum, scrapeMetrics } from './gateway.mjs';
import { countStored } from './influxd.mjs';
import { startMosquitto } from './mosquitto.mjs';
import { ROOT } from './paths.mjs';
import { busyPercent, cpuMicros, cpuTimes, machineCpu, watchRss } from './proc-stats.mjs';
import { log } from './scenario.mjs';
import { bucketQuantileMs, histogramDelta } from './stats.mjs';

const MiB = 1024 * 1024;
/** How long stored/scored counts may take to catch up after the last ack before the run counts a loss. */
const VERIFY_TIMEOUT_MS = 120_000;

/** Why the detector may leave an acknowledged reading unscored (stored all the same): each is a loss here. */
const LOSS_REASONS = ['late', 'overload', 'error', 'forgotten'];

/** What the detector did with the readings: scored, still learning, or not scored for a reason that is a loss. */
function detectorCounts(samples) {
  const unscored = (reason) =>
    metricSum(samples, 'iag_readings_unscored_total', `reason="${reason}"`);
  const lostBy = Object.fromEntries(LOSS_REASONS.map((reason) => [reason, unscored(reason)]));
  return {
    scored: metricSum(samples, 'iag_readings_scored_total'),
    learning: unscored('learning'),
    lost: Object.values(lostBy).reduce((sum, n) => sum + n, 0),
    lostBy,
  };
}

/**
 * Event-loop delay after the warm-up (prom-client samples it between scrapes, and the first scrape
 * comes at the warm-up's end) and GC time during the whole run: what stalls acknowledgements.
 */
function runtimeStats(samples) {
  const ms = (name) => metricSum(samples, name) * 1000;
  return {
    eventLoopP99Ms: ms('nodejs_eventloop_lag_p99_seconds'),
    eventLoopMaxMs: ms('nodejs_eventloop_lag_max_seconds'),
    gcSeconds: metricSum(samples, 'nodejs_gc_duration_seconds_sum'),
  };
}

/**
 * The gateway's own part of the ack latency after the warm-up, from its histograms (the bucket
 * holding each quantile, so "at most"): PUBLISH parsed to PUBACK written, and of that the wait for
 * the spool (lmdb's commit and fdatasync, until the event loop takes up its answer). What the
 * devices see on top is the time before the gateway reads a message.
 */
function insideLatency(warm, after) {
  const puback = histogramDelta(warm, after, 'iag_mqtt_puback_latency_seconds');
  const spool = histogramDelta(warm, after, 'iag_spool_append_seconds');
  return {
    insidePubackP50AtMostMs: bucketQuantileMs(puback, 0.5),
    insidePubackP99AtMostMs: bucketQuantileMs(puback, 0.99),
    spoolAppendP50AtMostMs: bucketQuantileMs(spool, 0.5),
    spoolAppendP99AtMostMs: bucketQuantileMs(spool, 0.99),
  };
}

/**
 * Gateway run: fresh DATA_DIR (copied registry) and database, the fleet connects, the load runs, then
 * the run waits until InfluxDB holds every acknowledged reading and the detector has seen each one.
 */
export async function measureGateway({
  influx,
  fleetInfo,
  runDir,
  database,
  load,
  generators,
  generatorNice,
  cpuProfileDir,
  during,
}) {
  let profileWindow;
  const gateway = await startWithFleet(fleetInfo, runDir, {
    influxUrl: influx.url,
    database,
    cpuProfileDir,
  });
  const fleet = await startFleet({
    url: gateway.mqttUrl,
    devices: fleetInfo.devices,
    generators,
    nice: generatorNice,
  });
  try {
    const connect = await fleet.connect();
    if (connect.failed > 0)
      throw new Error(`${connect.failed} devices could not connect: ${connect.firstError}`);
    const loadFromUs = monotonicUs();
    const influxCpu0 = cpuMicros(influx.pid);
    const meter = startMeter(gateway.pid, fleet);
    const warm = delay(load.warmupMs ?? 0).then(() => scrapeMetrics(gateway.httpUrl));
    warm.catch(() => undefined); // awaited only after the load: a failed run must not leave it unhandled
    const [client, extra] = await Promise.all([fleet.run(load), during?.(gateway)]);
    const ackedAt = meter.loadDone();
    const afterLoad = await scrapeMetrics(gateway.httpUrl);
    const runtime = { ...runtimeStats(afterLoad), ...insideLatency(await warm, afterLoad) };
    profileWindow = [loadFromUs, monotonicUs()];
    let counts = { stored: 0, scored: 0, learning: 0, lost: 0, lostBy: {} };
    const verified = await pollUntil(
      async () => {
        counts = {
          stored: await countStored(influx.url, database),
          ...detectorCounts(await scrapeMetrics(gateway.httpUrl)),
        };
        return (
          counts.stored >= client.acked &&
          counts.scored + counts.learning + counts.lost >= client.acked
        );
      },
      { timeoutMs: VERIFY_TIMEOUT_MS },
    );
    const verifiedAt = performance.now();
    const influxCpu1 = cpuMicros(influx.pid);
    const stored = Math.min(counts.stored, client.acked);
    const scoredOrLearning = Math.min(counts.scored + counts.learning, client.acked);
    return {
      ...meter.figures(client, connect),
      stored,
      scored: counts.scored,
      learning: counts.learning,
      lost: client.acked - Math.min(stored, scoredOrLearning),
      // by the detector's reason, when some went unscored (stored all the same)
      ...(counts.lost > 0 ? { unscoredBy: counts.lostBy } : {}),
      verified,
      verifySeconds: (verifiedAt - ackedAt) / 1000,
      verifiedPerSec: Math.min(stored, scoredOrLearning) / ((verifiedAt - meter.startedAt) / 1000),
      influxdCpuUsPerMsg: (influxCpu1 - influxCpu0) / client.acked,
      ...runtime,
      ...(extra ? { during: extra } : {}),
    };
  } finally {
    await fleet.close();
    await gateway.stop();
    if (cpuProfileDir && profileWindow)
      summarizeProfile(cpuProfileDir, gateway.pid, database, profileWindow);
  }
}

/**
 * What one broker process and the fleet cost for one load: the broker's CPU (user and kernel) until
 * figures() (so a drain after the last ack counts), the generators' CPU and the machine's load
 * until loadDone(), and the broker's RSS peak.
 */
function startMeter(pid, fleet) {
  const startedAt = performance.now();
  const [cpu0, generators0, machine0] = [cpuTimes(pid), fleet.cpu(), machineCpu()];
  const rss = watchRss(pid);
  let load;
  return {
    startedAt,
    loadDone() {
      load = {
        at: performance.now(),
        generators: fleet.cpu(),
        machine: machineCpu(),
      };
      return load.at;
    },
    figures(client, connect) {
      const [cpu1, memory] = [cpuTimes(pid), rss.stop()];
      const perMsg = (us) => us / client.acked;
      return {
        devices: connect.connected,
        connectSeconds: connect.seconds,
        sent: client.sent,
        acked: client.acked,
        ackedPerSec: client.acked / ((load.at - startedAt) / 1000),
        ackP50Ms: client.latencyMs.p50,
        ackP99Ms: client.latencyMs.p99,
        ackMaxMs: client.latencyMs.max,
        steadyAckP50Ms: client.steadyLatencyMs.p50,
        steadyAckP99Ms: client.steadyLatencyMs.p99,
        steadyAckMaxMs: client.steadyLatencyMs.max,
        cpuUsPerMsg: perMsg(cpu1.user + cpu1.system - cpu0.user - cpu0.system),
        kernelCpuUsPerMsg: perMsg(cpu1.system - cpu0.system),
        generatorsCpuUsPerMsg: perMsg(load.generators - generators0),
        machineBusyPercent: busyPercent(machine0, load.machine),
        rssPeakMiB: memory.peak / MiB,
        rssEndMiB: memory.last / MiB,
        publishErrors: client.errors,
        firstError: client.firstError,
      };
    },
  };
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Self time per frame while the load ran (not start-up or connecting), next to the profile and in the log. */
/**
 * @param {string} dir
 * @param {number} pid
 * @param {string} label
 * @param {number[]} window [from, to] in µs of monotonicUs()
 */
function summarizeProfile(dir, pid, label, window) {
  const [fromUs, toUs] = window;
  const path = profileOf(dir, pid);
  if (!path) return log('profile', `no CPU profile of ${pid} in ${dir}`);
  const top = formatTop(topFrames(JSON.parse(readFileSync(path, 'utf8')), { fromUs, toUs }), 30);
  writeFileSync(join(dir, `${label}-top.txt`), `${path}\nwindow ${fromUs},${toUs}\n${top}\n`);
  log('profile', `${path}, self time while the load ran (--window ${fromUs},${toUs}):\n${top}`);
}

/** Mosquitto run: the same devices (anonymous) and load, one QoS 0 subscriber counting what is routed. */
export async function measureMosquitto({ runDir, devices, load, generators, generatorNice }) {
  const broker = await startMosquitto(runDir);
  const counter = fork(join(ROOT, 'bench/lib/counter.worker.mjs'), [broker.url], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const fleet = await startFleet({
    url: broker.url,
    devices: devices.map(({ id }) => ({ id })),
    generators,
    nice: generatorNice,
  });
  const received = async () => {
    counter.send({ type: 'count' });
    const [message] = await once(counter, 'message');
    return message.received;
  };
  try {
    await once(counter, 'message'); // subscribed
    const connect = await fleet.connect();
    if (connect.failed > 0)
      throw new Error(
        `${connect.failed} devices could not connect to mosquitto: ${connect.firstError}`,
      );
    const meter = startMeter(broker.pid, fleet);
    const client = await fleet.run(load);
    meter.loadDone();
    let routed = 0;
    await pollUntil(async () => (routed = await received()) >= client.acked, {
      timeoutMs: 10_000,
    });
    const routedAt = performance.now();
    return {
      ...meter.figures(client, connect),
      routed,
      routedPerSec: Math.min(routed, client.acked) / ((routedAt - meter.startedAt) / 1000),
    };
  } finally {
    await fleet.close();
    counter.send({ type: 'close' });
    await once(counter, 'exit');
    await broker.stop();
  }
}
