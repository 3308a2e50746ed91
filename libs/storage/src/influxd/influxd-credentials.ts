import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { quoteIdent, quoteString } from '../influx/influxql';
import { StorageException, StorageExceptionCode } from '../storage.exception';

export interface InfluxCredentials {
  username: string;
  password: string;
}

/** What the credentials file holds: the admin the gateway created, and where influxd answered last. */
export interface ManagedInfluxdAccess extends InfluxCredentials {
  url: string;
}

/** The file beside influxd's data (0600) that the gateway and the trainer read. */
export const CREDENTIALS_FILE = 'credentials.json';
/** Where in DATA_DIR the gateway keeps its own influxd. */
export const MANAGED_INFLUXD_DIR = 'influxdb';
export const ADMIN_USERNAME = 'iag_admin';

const fileSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  url: z.string().optional(),
});

/** `<influxd data dir>/credentials.json`, or undefined when there is none yet. */
export function readCredentialsFile(
  dataDir: string,
): (InfluxCredentials & { url?: string }) | undefined {
  const path = join(dataDir, CREDENTIALS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw credentialsProblem(`${path} cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  const parsed = fileSchema.safeParse(safeJson(text));
  if (!parsed.success) throw credentialsProblem(`${path} is not a credentials file`);
  return parsed.data;
}

/**
 * The gateway's own influxd for a DATA_DIR: its URL when it last started and its admin (tooling:
 * the trainer). Undefined when that DATA_DIR has none.
 */
export function readManagedInfluxdAccess(dataDir: string): ManagedInfluxdAccess | undefined {
  const stored = readCredentialsFile(join(dataDir, MANAGED_INFLUXD_DIR));
  return stored?.url === undefined ? undefined : { ...stored, url: stored.url };
}

/** Written whole (temp file and rename), readable by this user only. */
export function writeCredentialsFile(
  dataDir: string,
  access: InfluxCredentials & { url?: string },
): void {
  const path = join(dataDir, CREDENTIALS_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(access, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/**
 * Makes sure influxd (auth on) has the admin of the credentials file, generated on first start:
 * the password is written before the user is created, so a crash in between leaves a file that
 * the next start creates the user from. Records `url`, so the trainer can find this influxd.
 */
export async function ensureAdminUser(
  dataDir: string,
  url: string,
  preset?: InfluxCredentials,
): Promise<InfluxCredentials> {
  const stored = readCredentialsFile(dataDir);
  const credentials = stored
    ? { username: stored.username, password: stored.password }
    : (preset ?? generateCredentials());
  if (stored?.url !== url) writeCredentialsFile(dataDir, { ...credentials, url });
  const probe = await influxQuery(url, 'SHOW USERS', credentials);
  if (probe.status === 200) return credentials;
  if (probe.status === 403 && /create admin user first/.test(probe.error)) {
    const create =
      `CREATE USER ${quoteIdent(credentials.username)} WITH PASSWORD ` +
      `${quoteString(credentials.password)} WITH ALL PRIVILEGES`;
    const created = await influxQuery(url, create);
    if (created.status === 200) return credentials;
    throw credentialsProblem(`influxd refused to create its admin user (${created.status})`);
  }
  throw credentialsProblem(
    `influxd in ${dataDir} has users, and ${join(dataDir, CREDENTIALS_FILE)} does not name an ` +
      `admin of them (${probe.status}): restore that file, or write an admin's username and ` +
      'password into it',
  );
}

/** A fresh admin: 256 random bits of password. */
export function generateCredentials(): InfluxCredentials {
  return { username: ADMIN_USERNAME, password: randomBytes(32).toString('base64url') };
}

async function influxQuery(
  url: string,
  q: string,
  credentials?: InfluxCredentials,
): Promise<{ status: number; error: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (credentials) {
    const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
  }
  const response = await fetch(`${url}/query`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ q }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json().catch(() => ({}))) as {
    error?: string;
    results?: Array<{ error?: string }>;
  };
  const error = body.error ?? body.results?.[0]?.error ?? '';
  return { status: error && response.status === 200 ? 400 : response.status, error };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function credentialsProblem(message: string): StorageException {
  return new StorageException(StorageExceptionCode.INFLUX_CREDENTIALS, message);
}
