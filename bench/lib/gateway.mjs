// The gateway under test, run from dist as its own process, the way `npm start` runs it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnLogged, stopChild } from './child-process.mjs';
import { influxEnv } from './influxd.mjs';
import { GATEWAY_MAIN, ROOT } from './paths.mjs';
import { GATEWAY_NODE_FLAGS } from '../../scripts/lib/prerequisites.mjs';

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/**
 * Starts `node dist/.../main.js` on free ports (MQTT_PORT=0, HTTP_PORT=0) and waits for its ready line.
 * `cpuProfileDir` runs it under `node --cpu-prof`; the profile is written when it stops. `main`: another
 * build's entry, to compare with.
 */
/**
 * @param {{ dataDir: string, influxUrl: string, database: string, env?: Record<string, string>,
 *   cpuProfileDir?: string, main?: string }} options
 */
export async function startGateway({
  dataDir,
  influxUrl,
  database,
  env = {},
  cpuProfileDir,
  main = GATEWAY_MAIN,
}) {
  mkdirSync(dataDir, { recursive: true });
  // BENCH_GATEWAY_NODE_FLAGS: extra node flags for the gateway only (say --trace-gc, which
  // NODE_OPTIONS refuses), for investigations; results taken with it say so in their note.
  const extraFlags = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const profileArgs = cpuProfileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${cpuProfileDir}`,
        // Nest re-raises SIGTERM after its shutdown; this turns that into a normal exit so the profile is written.
        '--require',
        join(ROOT, 'bench/lib/exit-after-shutdown.cjs'),
      ]
    : [];
  const nodeArgs = [...GATEWAY_NODE_FLAGS, ...extraFlags, ...profileArgs];
  let onReady;
  const ready = new Promise((resolve) => (onReady = resolve));
  const child = spawnLogged(process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    logPath: join(dataDir, 'gateway.log'),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      BIND_HOST: '127.0.0.1',
      MQTT_PORT: '0',
      HTTP_PORT: '0',
      ...influxEnv(influxUrl),
      INFLUX_DATABASE: database,
      ADMIN_API_KEY: BENCH_ADMIN_KEY,
      // Every load-generator connection comes from 127.0.0.1: lift the per-address cap, and keep the
      // global one above the largest fleet (idle: 10,000 devices).
      MQTT_MAX_CONNECTIONS_PER_IP: '0',
      MQTT_MAX_CONNECTIONS: '20000',
      ...env,
    },
    onLine: (line) => {
      const match = /ready: MQTT (mqtt:\/\/\S+)\s.*\sHTTP (https?:\/\/\S+)/.exec(line);
      if (match) onReady({ mqttUrl: match[1], httpUrl: match[2] });
    },
  });
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`gateway exited with ${code}; see ${join(dataDir, 'gateway.log')}`)),
    ),
  );
  exited.catch(() => undefined);
  const urls = await Promise.race([ready, exited]);
  return { ...urls, pid: child.pid, stop: () => stopChild(child, 30_000) };
}

/**
 * Authenticated JSON request to the gateway's REST API.
 * @param {string} httpUrl
 * @param {string} path
 * @param {{ method?: string, body?: unknown, key?: string }} [options]
 */
export async function api(httpUrl, path, { method = 'GET', body, key = BENCH_ADMIN_KEY } = {}) {
  const response = await fetch(`${httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Provisions `ids` through POST /api/v1/devices, `concurrency` at a time; returns their credentials. */
export async function provisionDevices(httpUrl, ids, concurrency = 8) {
  const devices = new Array(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      const { token } = await api(httpUrl, '/api/v1/devices', {
        method: 'POST',
        body: { id: ids[i] },
      });
      devices[i] = { id: ids[i], username: ids[i], password: token };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return devices;
}

/** Every sample of /metrics as { 'name{labels}': value }. */
export async function scrapeMetrics(httpUrl) {
  const response = await fetch(`${httpUrl}/metrics`);
  const samples = {};
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return samples;
}

/** Sum of a metric's samples whose labels contain `labelText` (e.g. 'reason="learning"'). */
export function metricSum(samples, name, labelText = '') {
  let sum = 0;
  for (const [key, value] of Object.entries(samples)) {
    const bare = key.split('{', 1)[0];
    if (bare === name && key.includes(labelText)) sum += value;
  }
  return sum;
}
