// A dedicated influxd for one bench invocation: the gateway's own ManagedInfluxd, run from dist.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DIST } from './paths.mjs';

const require = createRequire(import.meta.url);

/** The admin each bench influxd generated (it runs with authentication, as the gateway's own). */
const admins = new Map();

/** Notes the admin of an influxd the bench started, so influxQuery and influxEnv reach it. */
export function rememberAdmin(url, credentials) {
  admins.set(url, credentials);
}

/** INFLUX_URL for a gateway, with the influxd's admin when the bench started it. */
export function influxEnv(url) {
  const admin = admins.get(url);
  return admin
    ? { INFLUX_URL: url, INFLUX_USERNAME: admin.username, INFLUX_PASSWORD: admin.password }
    : { INFLUX_URL: url };
}

/** fetch() options with basic auth for that influxd's admin, if known. */
export function influxAuth(url) {
  const admin = admins.get(url);
  if (!admin) return {};
  const basic = Buffer.from(`${admin.username}:${admin.password}`).toString('base64');
  return { headers: { authorization: `Basic ${basic}` } };
}

export async function startInfluxd(dataDir) {
  const { ManagedInfluxd } = require(join(DIST, 'libs/storage/src/influxd/managed-influxd.js'));
  const influxd = new ManagedInfluxd({
    dataDir,
    log: (msg, level) => level === 'warn' && process.stderr.write(`[bench influxd] ${msg}\n`),
  });
  const url = await influxd.start();
  rememberAdmin(url, influxd.credentials);
  return { url, pid: influxd.pid, stop: () => influxd.stop() };
}

/** Runs InfluxQL straight against the server (not through the gateway) and returns the first series' rows. */
export async function influxQuery(url, database, q) {
  const params = new URLSearchParams({ db: database, q, epoch: 'ms' });
  const response = await fetch(`${url}/query?${params}`, influxAuth(url));
  const body = /** @type {any} */ (await response.json());
  const error = body.error ?? body.results?.[0]?.error;
  if (!response.ok || error) throw new Error(`influx query failed (${response.status}): ${error}`);
  const series = body.results?.[0]?.series?.[0];
  return (series?.values ?? []).map((values) =>
    Object.fromEntries(series.columns.map((column, i) => [column, values[i]])),
  );
}

/** Telemetry points stored in `database` (every bench reading carries `temp`); 0 before the first write. */
export async function countStored(url, database) {
  try {
    const rows = await influxQuery(url, database, 'SELECT count("temp") FROM "telemetry"');
    return rows[0]?.count ?? 0;
  } catch (error) {
    if (/database not found/.test(error.message)) return 0;
    throw error;
  }
}
