// sessions: the persistent-session attack of issue 18 row 3. A viewer key opens persistent sessions
// (CleanSession=0) subscribed QoS 1 to devices/+/telemetry and leaves; the fleet publishes meanwhile.
// What the gateway holds for the sessions that are away, in memory, and what one gets on its return.
import { join } from 'node:path';
import mqtt from 'mqtt';
import { delay } from '../lib/child-process.mjs';
import { provisionedFleet, startWithFleet } from '../lib/devices.mjs';
import { startFleet } from '../lib/fleet.mjs';
import { api, metricSum, scrapeMetrics } from '../lib/gateway.mjs';
import { startInfluxd } from '../lib/influxd.mjs';
import { GATEWAY_MAIN } from '../lib/paths.mjs';
import { rssBytes } from '../lib/proc-stats.mjs';
import { log, runScenario } from '../lib/scenario.mjs';

const MiB = 1024 * 1024;
const SETTLE_MS = 5000;
/** A returning session has got everything once nothing more arrived for this long. */
const QUIET_MS = 3000;

const viewer = (url, key, clientId) =>
  mqtt.connectAsync(url, {
    clientId,
    clean: false,
    username: 'service:attacker',
    password: key,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });

/** The attack: `count` persistent sessions of one viewer key, subscribed, then gone. */
async function parkSessions(url, key, count) {
  for (let i = 0; i < count; i++) {
    const client = await viewer(url, key, `attacker-${i}`);
    await client.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await client.endAsync();
  }
}

/** Reconnects the first session and counts what it receives until the queue has run dry. */
async function drainOne(url, key) {
  let received = 0;
  let last = Date.now();
  const client = mqtt.connect(url, {
    clientId: 'attacker-0',
    clean: false,
    username: 'service:attacker',
    password: key,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  client.on('message', () => ((received += 1), (last = Date.now())));
  await new Promise(
    (resolve, reject) => (client.once('connect', resolve), client.once('error', reject)),
  );
  while (Date.now() - last < QUIET_MS) await delay(250);
  await client.endAsync(true);
  return received;
}

const heapUsed = async (httpUrl) =>
  metricSum(await scrapeMetrics(httpUrl), 'nodejs_heap_size_used_bytes');

await runScenario({
  name: 'sessions',
  description:
    'A viewer key parks persistent QoS 1 sessions on devices/+/telemetry while the fleet publishes (paced).',
  options: {
    devices: { type: 'string', default: '100', help: 'publishing devices' },
    rate: { type: 'string', default: '10', help: 'QoS 1 messages per second per device' },
    duration: { type: 'string', default: '60', help: 'seconds the fleet publishes' },
    sessions: { type: 'string', default: '4', help: 'persistent sessions the viewer key parks' },
    main: {
      type: 'string',
      default: GATEWAY_MAIN,
      help: 'gateway entry (another build to compare)',
    },
  },
  async setup(opts, ctx) {
    const influx = await startInfluxd(join(ctx.workDir, 'influxd'));
    const fleetInfo = await provisionedFleet(Number(opts.devices), influx.url);
    return { influx, fleetInfo };
  },
  async run(opts, ctx, { influx, fleetInfo }, i) {
    const gw = await startWithFleet(fleetInfo, join(ctx.workDir, `gateway-${i + 1}`), {
      influxUrl: influx.url,
      database: `bench_sessions_${i + 1}`,
      main: opts.main,
      env: { LOG_LEVEL: 'warn' },
    });
    const fleet = await startFleet({ url: gw.mqttUrl, devices: fleetInfo.devices, generators: 2 });
    try {
      await fleet.connect();
      const { key } = await api(gw.httpUrl, '/api/v1/keys', {
        method: 'POST',
        body: { name: 'attacker', role: 'viewer' },
      });
      await delay(SETTLE_MS);
      const [rssBefore, heapBefore] = [rssBytes(gw.pid), await heapUsed(gw.httpUrl)];
      await parkSessions(gw.mqttUrl, key, Number(opts.sessions));
      const load = await fleet.run({
        mode: 'paced',
        durationMs: Number(opts.duration) * 1000,
        rate: Number(opts.rate),
        qos: 1,
        spikeEvery: 0,
      });
      await delay(SETTLE_MS);
      const samples = await scrapeMetrics(gw.httpUrl);
      const rssAfter = rssBytes(gw.pid);
      const heapAfter = metricSum(samples, 'nodejs_heap_size_used_bytes');
      log('sessions', `published ${load.acked} acknowledged messages; reconnecting one session`);
      return {
        published: load.acked,
        rssBeforeMiB: rssBefore / MiB,
        rssAfterMiB: rssAfter / MiB,
        rssGrowthMiB: (rssAfter - rssBefore) / MiB,
        heapBeforeMiB: heapBefore / MiB,
        heapAfterMiB: heapAfter / MiB,
        heapGrowthMiB: (heapAfter - heapBefore) / MiB,
        queuedGauge: metricSum(samples, 'iag_mqtt_session_queued_messages'),
        droppedCounter: metricSum(samples, 'iag_mqtt_session_queue_dropped_total'),
        deliveredOnReturn: await drainOne(gw.mqttUrl, key),
      };
    } finally {
      await fleet.close();
      await gw.stop();
    }
  },
  teardown: (state) => state?.influx.stop(),
  summarize: (m, opts) => ({
    table: [
      { figure: `messages published (acknowledged) in ${opts.duration} s`, gateway: m.published },
      { figure: `persistent sessions parked by one viewer key`, gateway: Number(opts.sessions) },
      { figure: 'messages one returning session received', gateway: m.deliveredOnReturn },
      { figure: 'messages queued for the parked sessions (gauge)', gateway: m.queuedGauge },
      { figure: 'messages dropped from their queues (counter)', gateway: m.droppedCounter },
      { figure: 'RSS before the attack (MiB)', gateway: m.rssBeforeMiB },
      { figure: 'RSS after the fleet published (MiB)', gateway: m.rssAfterMiB },
      { figure: 'V8 heap in use, growth over the attack (MiB)', gateway: m.heapGrowthMiB },
    ],
  }),
});
