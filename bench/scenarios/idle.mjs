// idle: 10,000 authenticated devices connected, nothing sent: what a connection costs in memory.
import { join } from 'node:path';
import { delay, pollUntil } from '../lib/child-process.mjs';
import { provisionedFleet, startWithFleet } from '../lib/devices.mjs';
import { startFleet } from '../lib/fleet.mjs';
import { metricSum, scrapeMetrics } from '../lib/gateway.mjs';
import { startInfluxd } from '../lib/influxd.mjs';
import { startMosquitto } from '../lib/mosquitto.mjs';
import { cpuMicros, rssBytes } from '../lib/proc-stats.mjs';
import { log, runScenario } from '../lib/scenario.mjs';
import { onPath } from '../../scripts/lib/prerequisites.mjs';

const MiB = 1024 * 1024;
const SETTLE_MS = 5000;

/** RSS before and after the fleet connects, and the CPU an idle fleet costs over `holdSeconds`. */
/**
 * @param {{ pid: number, url: string, devices: object[], generators: number, holdSeconds: number,
 *   connectedCount?: () => Promise<number>, heapUsed?: () => Promise<number | undefined> }} options
 */
async function measureIdle({
  pid,
  url,
  devices,
  generators,
  holdSeconds,
  connectedCount,
  heapUsed = async () => undefined,
}) {
  await delay(SETTLE_MS);
  const before = rssBytes(pid);
  const fleet = await startFleet({ url, devices, generators });
  try {
    const connect = await fleet.connect();
    if (connect.failed > 0)
      throw new Error(`${connect.failed} devices could not connect: ${connect.firstError}`);
    if (connectedCount)
      await pollUntil(async () => (await connectedCount()) >= devices.length, {
        timeoutMs: 30_000,
      });
    await delay(SETTLE_MS);
    const [cpu0, rss0] = [cpuMicros(pid), rssBytes(pid)];
    await delay(holdSeconds * 1000);
    const [cpu1, after] = [cpuMicros(pid), rssBytes(pid)];
    const heap = await heapUsed();
    return {
      devices: connect.connected,
      connectSeconds: connect.seconds,
      connectsPerSec: connect.connected / connect.seconds,
      rssBeforeMiB: before / MiB,
      // Right after the connect storm (its garbage included), and once the fleet has sat idle.
      rssConnectedMiB: rss0 / MiB,
      rssMiB: after / MiB,
      perDeviceKiB: (after - before) / 1024 / devices.length,
      idleCpuPercent: ((cpu1 - cpu0) / (holdSeconds * 1e6)) * 100,
      heapUsedMiB: heap === undefined ? undefined : heap / MiB,
    };
  } finally {
    await fleet.close();
  }
}

await runScenario({
  name: 'idle',
  description: '10,000 devices connected (authenticated, one TCP connection each), nothing sent.',
  options: {
    devices: { type: 'string', default: '10000', help: 'connected devices' },
    generators: { type: 'string', default: '4', help: 'processes holding the connections' },
    hold: {
      type: 'string',
      default: '120',
      // The connect storm's garbage stays in the heap until V8's memory reducer runs (tens of
      // seconds without allocation): 343 MiB right after 10,000 connects, 207 MiB two minutes on.
      help: 'seconds the idle fleet is held before its RSS is read (and its CPU cost measured)',
    },
    'no-mosquitto': { type: 'boolean', default: false, help: 'skip the Mosquitto reference run' },
  },
  async setup(opts, ctx) {
    const influx = await startInfluxd(join(ctx.workDir, 'influxd'));
    const fleetInfo = await provisionedFleet(Number(opts.devices), influx.url);
    if (fleetInfo.provisionSeconds !== null) {
      log(
        'idle',
        `provisioned ${opts.devices} devices through the REST API in ${fleetInfo.provisionSeconds.toFixed(1)} s`,
      );
    }
    return { influx, fleetInfo, withMosquitto: !opts['no-mosquitto'] && onPath('mosquitto') };
  },
  async run(opts, ctx, { influx, fleetInfo, withMosquitto }, i) {
    const common = { generators: Number(opts.generators), holdSeconds: Number(opts.hold) };
    const gw = await startWithFleet(fleetInfo, join(ctx.workDir, `gateway-${i + 1}`), {
      influxUrl: influx.url,
      database: `bench_idle_${i + 1}`,
      cpuProfileDir: ctx.cpuProfileDir,
    });
    let gateway;
    try {
      gateway = await measureIdle({
        ...common,
        pid: gw.pid,
        url: gw.mqttUrl,
        devices: fleetInfo.devices,
        connectedCount: async () =>
          metricSum(await scrapeMetrics(gw.httpUrl), 'iag_mqtt_connections'),
        heapUsed: async () =>
          metricSum(await scrapeMetrics(gw.httpUrl), 'nodejs_heap_size_used_bytes'),
      });
    } finally {
      await gw.stop();
    }
    if (!withMosquitto) return { gateway };
    const broker = await startMosquitto(join(ctx.workDir, `mosquitto-${i + 1}`));
    try {
      const devices = fleetInfo.devices.map(({ id }) => ({ id }));
      return {
        gateway,
        mosquitto: await measureIdle({ ...common, pid: broker.pid, url: broker.url, devices }),
      };
    } finally {
      await broker.stop();
    }
  },
  teardown: (state) => state?.influx.stop(),
  summarize: (m, opts) => {
    const g = m.gateway ?? {};
    const q = m.mosquitto ?? {};
    return {
      table: [
        { figure: 'devices connected', gateway: g.devices, mosquitto: q.devices },
        {
          figure: `RSS with the fleet connected and idle for ${opts.hold} s (MiB)`,
          gateway: g.rssMiB,
          mosquitto: q.rssMiB,
          target: '<= 250',
          met: g.rssMiB <= 250,
        },
        {
          figure: 'RSS right after the connect storm (MiB)',
          gateway: g.rssConnectedMiB,
          mosquitto: q.rssConnectedMiB,
        },
        {
          figure: 'RSS before the fleet connected (MiB)',
          gateway: g.rssBeforeMiB,
          mosquitto: q.rssBeforeMiB,
        },
        { figure: 'RSS per idle device (KiB)', gateway: g.perDeviceKiB, mosquitto: q.perDeviceKiB },
        { figure: 'of the RSS: V8 heap in use (MiB)', gateway: g.heapUsedMiB },
        {
          figure: 'connects/s (gateway: includes the token check)',
          gateway: g.connectsPerSec,
          mosquitto: q.connectsPerSec,
        },
        {
          figure: 'CPU while idle (% of one core)',
          gateway: g.idleCpuPercent,
          mosquitto: q.idleCpuPercent,
        },
      ],
    };
  },
});
