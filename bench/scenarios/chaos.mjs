#!/usr/bin/env node
// `npm run bench -- chaos` or `node bench/scenarios/chaos.mjs [--outage-seconds 30] [--flood-seconds 15]
// [--only outage,kill9,flood,full]`: runs the built gateway (dist; `npm run build` first when run on its
// own) through an InfluxDB outage, kill -9 under load, a QoS 0 flood and a full spool, and prints per
// scenario readings acknowledged, stored, dropped (with the reason) and lost. Lost must be 0 for
// acknowledged readings. Results: bench/results/chaos-<date>.json.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import * as chaos from '../lib/chaos-support.mjs';

const { values: opts } = parseArgs({
  options: {
    'outage-seconds': { type: 'string', default: '30' },
    'flood-seconds': { type: 'string', default: '15' },
    only: { type: 'string', default: 'outage,kill9,flood,full' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write(
    'options: --outage-seconds 30 --flood-seconds 15 --only outage,kill9,flood,full\n',
  );
  process.exit(0);
}
if (!existsSync(join(chaos.root, 'dist/apps/gateway/apps/gateway/src/main.js'))) {
  process.stderr.write('no build: run `npm run build` (npm run bench does it for you)\n');
  process.exit(2);
}

const dropped = async (gateway) => ({
  spool_full: await gateway.metric('iag_readings_dropped_total{reason="spool_full"}'),
  rate_limit_messages: await gateway.metric(
    'iag_mqtt_telemetry_dropped_total{reason="rate_limit"}',
  ),
  overload_messages: await gateway.metric('iag_mqtt_telemetry_dropped_total{reason="overload"}'),
});
const drained = (gateway) =>
  chaos.until(async () => (await gateway.metric('iag_spool_readings')) === 0, 120_000);

async function outage() {
  const { influxd, url } = await chaos.startInfluxd();
  const database = 'chaos_outage';
  const gateway = await chaos.startGateway({
    DATA_DIR: chaos.tempDir('outage'),
    INFLUX_URL: url,
    INFLUX_DATABASE: database,
    ALLOW_ANONYMOUS_DEVICES: 'true',
  });
  const fleet = await chaos.qos1Fleet(gateway.mqttPort, 100, 'outage', { intervalMs: 100 });
  await chaos.sleep(3000);
  await influxd.stop();
  const ackedAtStop = fleet.acked();
  await chaos.sleep(Number(opts['outage-seconds']) * 1000);
  const ackedDuringOutage = fleet.acked() - ackedAtStop;
  const spoolAtRecovery = await gateway.metric('iag_spool_readings');
  const retries = await gateway.metric('iag_influx_write_errors_total{kind="retried"}');
  await influxd.start();
  const recoveredAt = Date.now();
  // The fleet is still sending, so the spool always holds the current batch: drained means every
  // reading acknowledged before InfluxDB came back has been written, not an empty spool.
  const backlog = fleet.acked();
  await chaos.until(
    async () => (await gateway.metric('iag_influx_points_written_total')) >= backlog,
    120_000,
  );
  const drainSeconds = (Date.now() - recoveredAt) / 1000;
  await fleet.stop();
  await drained(gateway);
  const { stored, lost } = await fleet.lost(url, database);
  const result = {
    acknowledged: fleet.acked(),
    stored,
    dropped: await dropped(gateway),
    lost,
    ackedDuringOutage,
    spoolAtRecovery,
    retries,
    drainSeconds,
  };
  await fleet.close();
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  await influxd.stop();
  return result;
}

async function kill9() {
  const { influxd, url } = await chaos.startInfluxd();
  const env = {
    DATA_DIR: chaos.tempDir('kill9'),
    INFLUX_URL: url,
    INFLUX_DATABASE: 'chaos_kill9',
    ALLOW_ANONYMOUS_DEVICES: 'true',
    WRITE_BATCH_MS: '1000',
  };
  let gateway = await chaos.startGateway(env);
  const fleet = await chaos.qos1Fleet(gateway.mqttPort, 20, 'kill', { inFlight: 4 });
  await chaos.sleep(5000);
  const spoolAtKill = await gateway.metric('iag_spool_readings');
  gateway.child.kill('SIGKILL');
  await gateway.exited;
  await fleet.stop();
  gateway = await chaos.startGateway(env);
  await drained(gateway);
  const { stored, lost } = await fleet.lost(url, env.INFLUX_DATABASE);
  const result = {
    acknowledged: fleet.acked(),
    stored,
    dropped: await dropped(gateway),
    lost,
    spoolAtKill,
  };
  await fleet.close();
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  await influxd.stop();
  return result;
}

async function flood() {
  const { influxd, url } = await chaos.startInfluxd();
  const gateway = await chaos.startGateway({
    DATA_DIR: chaos.tempDir('flood'),
    INFLUX_URL: url,
    INFLUX_DATABASE: 'chaos_flood',
    MQTT_ACL: 'open',
  });
  const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
    clientId: 'watcher',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  let forwarded = 0;
  watcher.on('message', () => forwarded++);
  await watcher.subscribeAsync('devices/+/telemetry', { qos: 0 });
  let maxRss = 0;
  let healthFailures = 0;
  let probes = 0;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      maxRss = Math.max(maxRss, gateway.rssBytes());
      const res = await fetch(`http://127.0.0.1:${gateway.httpPort}/health`).catch(() => null);
      probes++;
      if (res?.status !== 200) healthFailures++;
      await chaos.sleep(250);
    }
  })();
  const worker = spawn(
    process.execPath,
    [
      join(chaos.root, 'bench/lib/qos0-flood-worker.mjs'),
      '--port',
      String(gateway.mqttPort),
      '--seconds',
      opts['flood-seconds'],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  worker.stdout.on('data', (chunk) => (out += chunk));
  await new Promise((resolve) => worker.once('exit', resolve));
  probing = false;
  await probe;
  const { sent } = JSON.parse(out.trim());
  await drained(gateway);
  await chaos.sleep(1000); // messages still in flight when the publishers left
  await drained(gateway);
  const accepted = await gateway.metric('iag_readings_accepted_total');
  const stored =
    (await chaos.influxQuery(url, 'chaos_flood', 'SELECT count("temp") FROM "telemetry"'))[0]
      ?.count ?? 0;
  const alive = gateway.child.exitCode === null;
  const result = {
    acknowledged: 0,
    stored,
    dropped: {
      ...(await dropped(gateway)),
      forwards_slow_subscriber: await gateway.metric('iag_mqtt_forwards_dropped_total'),
    },
    lost: accepted - stored, // accepted (spooled) but not in InfluxDB; QoS 0 has no acknowledgement
    sent,
    accepted,
    forwarded,
    alive,
    maxRssMiB: Math.round(maxRss / 2 ** 20),
    healthProbes: probes,
    healthFailures,
  };
  await watcher.endAsync(true).catch(() => undefined);
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  await influxd.stop();
  return result;
}

async function full() {
  const { influxd, url } = await chaos.startInfluxd();
  await influxd.stop();
  const gateway = await chaos.startGateway({
    DATA_DIR: chaos.tempDir('full'),
    INFLUX_URL: url,
    INFLUX_DATABASE: 'chaos_full',
    ALLOW_ANONYMOUS_DEVICES: 'true',
    SPOOL_MAX_BYTES: '1048576',
  });
  const fleet = await chaos.qos1Fleet(gateway.mqttPort, 10, 'full', { inFlight: 2 });
  const qos0 = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, {
    clientId: 'full-qos0',
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const t0 = Date.now() - 7_200_000;
  let qos0Sent = 0;
  const qos0Timer = setInterval(
    () =>
      qos0.publish(
        'devices/full-qos0/telemetry',
        JSON.stringify({ ts: t0 + qos0Sent++, temp: 20 }),
        { qos: 0 },
      ),
    20,
  );
  await chaos.until(
    async () => (await gateway.metric('iag_readings_dropped_total{reason="spool_full"}')) > 0,
    120_000,
  );
  const ackedWhileFull = fleet.acked();
  await chaos.sleep(3000);
  const ackedAfterWaiting = fleet.acked();
  clearInterval(qos0Timer);
  await influxd.start();
  await chaos.sleep(3000);
  await fleet.stop();
  await drained(gateway);
  const { stored, lost } = await fleet.lost(url, 'chaos_full');
  const result = {
    acknowledged: fleet.acked(),
    stored,
    dropped: await dropped(gateway),
    lost,
    qos0Sent,
    ackedWhileFull,
    ackedAfterWaiting,
  };
  await fleet.close();
  await qos0.endAsync(true).catch(() => undefined);
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  await influxd.stop();
  return result;
}

const scenarios = { outage, kill9, flood, full };
const results = {};
for (const name of opts.only.split(',')) {
  process.stderr.write(`chaos: ${name}...\n`);
  results[name] = await scenarios[name]();
  const r = results[name];
  const drops =
    Object.entries(r.dropped)
      .filter(([, n]) => n > 0)
      .map(([why, n]) => `${why} ${n}`)
      .join(', ') || 'none';
  process.stdout.write(
    `${name.padEnd(7)} acknowledged ${r.acknowledged}  stored ${r.stored}  dropped: ${drops}  lost ${r.lost}\n`,
  );
}
const failed = Object.entries(results).filter(([name, r]) => name !== 'flood' && r.lost > 0);
mkdirSync(join(chaos.root, 'bench/results'), { recursive: true });
const file = join(
  chaos.root,
  'bench/results',
  `chaos-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`,
);
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), options: opts, results }, null, 2)}\n`,
);
process.stdout.write(
  `results: ${file}\n${failed.length ? `LOST acknowledged readings in: ${failed.map(([n]) => n).join(', ')}\n` : 'lost 0 for acknowledged readings in every scenario\n'}`,
);
process.exit(failed.length ? 1 : 0);
