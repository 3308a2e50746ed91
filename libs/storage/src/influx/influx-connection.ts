import { Logger } from '@nestjs/common';
import { InfluxDB, IPoint, IPoolOptions } from 'influx';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { quoteIdent, retentionClause } from './influxql';
import { queryDuration } from '../storage.metrics';

/** One row of a query answer: column name -> value, tags merged in, time as epoch ms. */
export type InfluxRow = Record<string, unknown>;

interface RawSeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}
interface RawResponse {
  results?: Array<{ statement_id?: number; series?: RawSeries[]; error?: string }>;
  error?: string;
}

/** The part of `influx`'s (unexported) request pool that writePoints itself uses. */
interface InfluxRequestPool {
  discard(options: {
    method: string;
    path: string;
    body: string;
    query: Record<string, string>;
    auth?: string;
  }): Promise<void>;
}

/** The pool must not bench the only host: our writer does its own backoff. */
const NEVER_DISABLE_HOST: NonNullable<IPoolOptions['backoff']> = {
  getDelay: () => 0,
  next() {
    return this;
  },
  reset() {
    return this;
  },
};

/** What a connection needs to know: the database, and the retention ensureDatabase() sets. */
export interface InfluxSettings {
  database: string;
  /** Only the gateway creates the database and sets its default retention policy. */
  retention?: string;
}

/** Where tooling (the trainer) reads: a server, a database and who to read as. */
export interface InfluxTarget {
  url: string;
  database: string;
  credentials?: { username: string; password: string };
}

/**
 * Owns the InfluxDB client (internal to this lib: no InfluxDB type leaves it). The URL is
 * only known after StorageModule has started a managed influxd, hence `connect()`. StorageModule
 * provides it from the gateway config; tooling opens one with `open()`.
 */
export class InfluxConnection {
  private readonly logger = new Logger(InfluxConnection.name);
  private client: InfluxDB | undefined;
  private auth: string | undefined;
  private ready = false;
  private closed = false;
  private ensureTimer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: InfluxSettings) {}

  /** A connection to `target`, for tooling that only reads (no database is created). */
  static open(target: InfluxTarget): InfluxConnection {
    const connection = new InfluxConnection({ database: target.database });
    connection.connect(target.url, target.credentials);
    return connection;
  }

  get database(): string {
    return this.settings.database;
  }

  /** True once the database and its retention policy exist. */
  get databaseReady(): boolean {
    return this.ready;
  }

  /** `credentials` win over a user and password in the URL; with neither, requests carry none. */
  connect(url: string, credentials?: { username: string; password: string }): void {
    const parsed = new URL(url);
    const username =
      credentials?.username ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined);
    const password =
      credentials?.password ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined);
    this.auth = username === undefined ? undefined : `${username}:${password ?? ''}`;
    this.client = new InfluxDB({
      hosts: [
        {
          host: parsed.hostname,
          port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 8086)),
          protocol: parsed.protocol === 'https:' ? 'https' : 'http',
          path: parsed.pathname === '/' ? undefined : parsed.pathname,
        },
      ],
      username,
      password,
      database: this.database,
      pool: { maxRetries: 0, requestTimeout: 10_000, backoff: NEVER_DISABLE_HOST },
    });
    this.closed = false;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.ensureTimer);
  }

  /** Creates the database and sets the default retention policy (idempotent). */
  async ensureDatabase(): Promise<void> {
    const retention = this.settings.retention;
    if (retention === undefined) throw this.unavailable('this connection has no retention to set');
    await this.exec(`CREATE DATABASE ${quoteIdent(this.database)}`);
    const policies = await this.query(`SHOW RETENTION POLICIES ON ${quoteIdent(this.database)}`);
    const verb = policies.some((row) => row.name === 'autogen') ? 'ALTER' : 'CREATE';
    await this.exec(
      `${verb} RETENTION POLICY "autogen" ON ${quoteIdent(this.database)} ` +
        `${retentionClause(retention)} REPLICATION 1 DEFAULT`,
    );
    this.ready = true;
  }

  /** Like ensureDatabase, but an unreachable InfluxDB is retried in the background. */
  async ensureDatabaseOrRetry(attempt = 0): Promise<void> {
    try {
      await this.ensureDatabase();
      if (attempt > 0) this.logger.log(`database ${this.database} is ready`);
    } catch (error) {
      if (this.closed) return;
      const wait = Math.min(30_000, 500 * 2 ** attempt);
      this.logger.warn(
        `cannot prepare database ${this.database} (${(error as Error).message}); retrying in ${wait} ms`,
      );
      this.ensureTimer = setTimeout(() => void this.ensureDatabaseOrRetry(attempt + 1), wait);
    }
  }

  async ping(timeoutMs: number): Promise<boolean> {
    const [stats] = await this.influx().ping(timeoutMs);
    return stats?.online === true;
  }

  /** Runs one InfluxQL SELECT/SHOW and returns its rows (all series merged, tags as columns). */
  async query(q: string): Promise<InfluxRow[]> {
    const stopTimer = queryDuration.startTimer();
    const response = await this.call(
      () => this.influx().queryRaw(q, { precision: 'ms' }) as Promise<RawResponse>,
    ).finally(stopTimer);
    const result = response.results?.[0];
    const error = response.error ?? result?.error;
    if (error) throw this.unavailable(`InfluxDB refused a query: ${error}`);
    return (result?.series ?? []).flatMap((series) => toRows(series));
  }

  /**
   * Writes line protocol with millisecond timestamps; errors are thrown as they come (see
   * isRejection). Sent through the client's own request pool (its hosts, auth and timeouts):
   * writePoints would only re-encode lines the spool already holds as InfluxDB wants them.
   */
  async writeLines(lines: string): Promise<void> {
    const pool = (this.influx() as unknown as { _pool: InfluxRequestPool })._pool;
    await pool.discard({
      method: 'POST',
      path: '/write',
      body: lines,
      query: { db: this.database, precision: 'ms' },
      auth: this.auth,
    });
  }

  /** Like writeBatch, with failures as StorageException INFLUX_UNAVAILABLE. */
  async write(points: IPoint[]): Promise<void> {
    await this.call(() => this.influx().writePoints(points, { precision: 'ms' }));
  }

  private async exec(q: string): Promise<void> {
    const response = await this.call(
      () => this.influx().queryRaw(q, { method: 'POST' }) as Promise<RawResponse>,
    );
    const error = response.error ?? response.results?.[0]?.error;
    if (error) throw this.unavailable(`InfluxDB refused "${q}": ${error}`);
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StorageException) throw error;
      throw this.unavailable(`InfluxDB request failed: ${(error as Error).message}`, error);
    }
  }

  private influx(): InfluxDB {
    if (!this.client) throw this.unavailable('InfluxDB is not connected yet');
    return this.client;
  }

  private unavailable(message: string, cause?: unknown): StorageException {
    return new StorageException(StorageExceptionCode.INFLUX_UNAVAILABLE, message, { cause });
  }
}

/**
 * InfluxDB answers 400 when it refuses a write for its content (unparsable, field type
 * conflict, or a partial write such as points beyond the retention policy, where the rest
 * was stored): retrying the same batch cannot help. Auth (401/403) and "database not
 * found" (404) can heal, so they are not rejections.
 */
export function isRejection(error: unknown): boolean {
  return (error as { res?: { statusCode?: number } } | null)?.res?.statusCode === 400;
}

function toRows({ columns, tags, values = [] }: RawSeries): InfluxRow[] {
  return values.map((value) => {
    const row: InfluxRow = tags ? { ...tags } : {};
    for (let i = 0; i < columns.length; i++) row[columns[i]] = value[i];
    return row;
  });
}
