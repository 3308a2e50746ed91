import { createServer } from 'node:net';

export type InfluxRow = Record<string, unknown>;

/** An influxd and the admin it is reached as (the suite's own unless a test has its own). */
export interface InfluxTarget {
  url: string;
  username?: string;
  password?: string;
}

/** The suite's influxd, from what globalSetup left in the environment. */
export function suiteInflux(): InfluxTarget {
  const url = process.env.INFLUX_URL;
  if (!url) throw new Error('INFLUX_URL is not set; is the jest globalSetup configured?');
  return { url, username: process.env.INFLUX_USERNAME, password: process.env.INFLUX_PASSWORD };
}

/** fetch() against an influxd, as its admin (basic auth) when the target names one. */
export function influxFetch(target: InfluxTarget, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (target.username !== undefined) {
    const basic = Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64');
    headers.set('authorization', `Basic ${basic}`);
  }
  return fetch(`${target.url}${path}`, { ...init, headers });
}

/**
 * Runs InfluxQL straight against an influxd (the suite's unless given; HTTP API, epoch ms), so
 * tests can check what was stored without going through the code under test.
 */
export async function influxQuery(
  database: string,
  q: string,
  target: InfluxTarget = suiteInflux(),
): Promise<InfluxRow[]> {
  const params = new URLSearchParams({ db: database, q, epoch: 'ms' });
  const response = await influxFetch(target, `/query?${params}`);
  const body = (await response.json()) as {
    error?: string;
    results?: Array<{
      error?: string;
      series?: Array<{ tags?: Record<string, string>; columns: string[]; values?: unknown[][] }>;
    }>;
  };
  const error = body.error ?? body.results?.[0]?.error;
  if (!response.ok || error) throw new Error(`influx query failed (${response.status}): ${error}`);
  return (body.results?.[0]?.series ?? []).flatMap((series) =>
    (series.values ?? []).map((values) => {
      const row: InfluxRow = { ...series.tags };
      series.columns.forEach((column, i) => (row[column] = values[i]));
      return row;
    }),
  );
}

/** Runs a statement that changes something (CREATE, DROP, DELETE) against the suite's influxd. */
export async function influxExec(q: string, target = suiteInflux()): Promise<void> {
  const response = await influxFetch(target, `/query?${new URLSearchParams({ q })}`, {
    method: 'POST',
  });
  const body = (await response.json()) as { error?: string; results?: Array<{ error?: string }> };
  const error = body.error ?? body.results?.[0]?.error;
  if (!response.ok || error) throw new Error(`influx "${q}" failed (${response.status}): ${error}`);
}

/** Writes line protocol (ms precision) straight to the suite's influxd, as an older build or a tool would. */
export async function influxWrite(
  database: string,
  lines: string,
  target = suiteInflux(),
): Promise<void> {
  const params = new URLSearchParams({ db: database, precision: 'ms' });
  const response = await influxFetch(target, `/write?${params}`, { method: 'POST', body: lines });
  if (response.status !== 204) {
    throw new Error(`influx write failed (${response.status}): ${await response.text()}`);
  }
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

/** True when `pid` names a live process (signal 0 probes without killing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
