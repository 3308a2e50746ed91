// Helpers of bench/scenarios/chaos.mjs: the built gateway as a child process, a dedicated influxd
// (the gateway's own ManagedInfluxd, from dist), QoS 1 devices that remember what was acknowledged,
// and InfluxDB / Prometheus reads. Node built-ins and mqtt only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { GATEWAY_NODE_FLAGS } from '../../scripts/lib/prerequisites.mjs';
import { freePort } from './child-process.mjs';
import { influxAuth, influxEnv, rememberAdmin } from './influxd.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/apps/gateway');
const require = createRequire(import.meta.url);

/**
 * Gateways started here are killed when this process exits, also when a scenario throws; the
 * data dirs made here are removed then (after the kill, so nothing writes into them any more).
 */
const gateways = new Set();
const tempDirs = [];
process.once('exit', () => {
  for (const child of gateways) if (child.exitCode === null) child.kill('SIGKILL');
  // An influxd killed with us may still be writing; a dir left behind then is no failure.
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `iag-chaos-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check, timeoutMs = 60_000, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** A supervised influxd on a fixed port, restartable (libs/storage ManagedInfluxd, built). */
export async function startInfluxd() {
  const { ManagedInfluxd } = require(join(dist, 'libs/storage/src/influxd/managed-influxd.js'));
  const influxd = new ManagedInfluxd({
    dataDir: tempDir('influxd'),
    httpPort: await freePort(),
    log: () => undefined,
  });
  const url = await influxd.start();
  rememberAdmin(url, influxd.credentials);
  return { influxd, url };
}

/** Starts dist/.../main.js and waits for its ready line. */
export async function startGateway(env) {
  const child = spawn(
    process.execPath,
    [...GATEWAY_NODE_FLAGS, join(dist, 'apps/gateway/src/main.js')],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        BIND_HOST: '127.0.0.1',
        MQTT_PORT: '0',
        MQTTS_PORT: '0',
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        ADMIN_API_KEY: 'chaos-admin-key-0123456789',
        // Every load-generator connection comes from 127.0.0.1: lift the per-address cap, and keep the
        // global one above the largest fleet (idle: 10,000 devices).
        MQTT_MAX_CONNECTIONS_PER_IP: '0',
        MQTT_MAX_CONNECTIONS: '20000',
        ...env,
        ...(env.INFLUX_URL ? influxEnv(env.INFLUX_URL) : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  gateways.add(child);
  child.once('exit', () => gateways.delete(child));
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString('utf8')).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ports = await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited:\n${output}`);
      const m = /ready: MQTT mqtt:\/\/[^:\s]+:(\d+)\s.*\sHTTP https?:\/\/[^:\s]+:(\d+)/.exec(
        output,
      );
      return m && { mqttPort: Number(m[1]), httpPort: Number(m[2]) };
    },
    60_000,
    50,
  );
  return {
    ...ports,
    child,
    exited,
    output: () => output,
    rssBytes: () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024,
    metric: (name) => metric(ports.httpPort, name),
  };
}

/** Sum of a Prometheus metric's samples whose line starts with `name` (labels included). */
export async function metric(httpPort, name) {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

export async function influxQuery(url, database, q) {
  const params = new URLSearchParams({ db: database, q, epoch: 'ms' });
  const body = /** @type {any} */ (
    await (await fetch(`${url}/query?${params}`, influxAuth(url))).json()
  );
  const series = body.results?.[0]?.series ?? [];
  return series.flatMap((s) =>
    (s.values ?? []).map((values) => {
      const row = { ...s.tags };
      s.columns.forEach((column, i) => (row[column] = values[i]));
      return row;
    }),
  );
}

/** Anonymous QoS 1 devices publishing `{"ts", "seq"}`; remembers every acknowledged seq. */
export async function qos1Fleet(port, count, prefix, { inFlight = 1, intervalMs = 0 } = {}) {
  const devices = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `${prefix}-${i}`;
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: id,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      client.on('error', () => undefined);
      const closed = new Promise((resolve) => client.once('close', () => resolve('lost')));
      return { id, client, closed, next: 0, acked: new Set() };
    }),
  );
  const base = Date.now() - 3_600_000;
  let running = true;
  const lane = async (device) => {
    while (running) {
      const seq = device.next++;
      const publish = device.client.publishAsync(
        `devices/${device.id}/telemetry`,
        JSON.stringify({ ts: base + seq, seq }),
        { qos: 1 },
      );
      const outcome = await Promise.race([
        publish.then(
          () => 'acked',
          () => 'lost',
        ),
        device.closed,
      ]);
      if (outcome === 'lost') return;
      device.acked.add(seq);
      if (intervalMs > 0) await sleep(intervalMs);
    }
  };
  const lanes = devices.flatMap((device) => Array.from({ length: inFlight }, () => lane(device)));
  return {
    acked: () => devices.reduce((sum, d) => sum + d.acked.size, 0),
    async stop() {
      running = false;
      await Promise.all(lanes);
    },
    async close() {
      running = false;
      await Promise.all(devices.map((d) => d.client.endAsync(true).catch(() => undefined)));
    },
    /** Acknowledged readings not found in InfluxDB. */
    async lost(url, database) {
      const rows = await influxQuery(
        url,
        database,
        `SELECT "seq" FROM "telemetry" WHERE "device_id" =~ /^${prefix}-/ GROUP BY "device_id"`,
      );
      const stored = new Map(devices.map((d) => [d.id, new Set()]));
      for (const row of rows) stored.get(row.device_id)?.add(row.seq);
      let lost = 0;
      for (const d of devices) for (const seq of d.acked) if (!stored.get(d.id).has(seq)) lost++;
      return { stored: rows.length, lost };
    },
  };
}
