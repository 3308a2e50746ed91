import { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { freePorts, renderInfluxdConfig } from './influxd-config';
import { ensureAdminUser, InfluxCredentials } from './influxd-credentials';
import {
  delay,
  describeExit,
  pingOnce,
  rotateLog,
  spawnInfluxd,
  tailFile,
} from './influxd-process';

export interface ManagedInfluxdOptions {
  dataDir: string;
  /** Default 'influxd' (looked up on PATH). */
  influxdPath?: string;
  /** Supervision events; `level` is 'warn' for crashes and failed restarts. */
  log?: (msg: string, level?: 'info' | 'warn') => void;
  /** Fixed HTTP port; default: a free port picked at start(). */
  httpPort?: number;
  /** How long start() waits for GET /ping; default 30 s. */
  startTimeoutMs?: number;
  /** The admin to create on a first start instead of a generated one (for callers that must know it first). */
  credentials?: InfluxCredentials;
}

const STOP_GRACE_MS = 10_000;
const RESTART_BASE_MS = 250;
const RESTART_MAX_MS = 30_000;
/** A run this long counts as healthy: the next crash restarts without backoff. */
const STABLE_RUN_MS = 60_000;
const START_ATTEMPTS = 3;

/**
 * Runs and supervises our own influxd on 127.0.0.1 (usable without Nest).
 *
 * Orphan protection: on Linux the child is spawned under `setpriv --pdeathsig KILL`, so the
 * kernel kills it whenever our process dies, even by SIGKILL. Everywhere, a process 'exit'
 * hook SIGKILLs it; without setpriv that hook is the only guard, and it cannot run if our
 * process is SIGKILLed or dies on an unhandled signal.
 */
export class ManagedInfluxd {
  private readonly dataDir: string;
  private readonly influxdPath: string;
  private readonly log: (msg: string, level?: 'info' | 'warn') => void;
  private readonly startTimeoutMs: number;
  private readonly configPath: string;
  private readonly logPath: string;
  private child: ChildProcess | undefined;
  private childStartedAt = 0;
  private httpPort: number | undefined;
  private supervising = false;
  private restartAttempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private admin: InfluxCredentials | undefined;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  constructor(private readonly options: ManagedInfluxdOptions) {
    this.dataDir = options.dataDir;
    this.influxdPath = options.influxdPath ?? 'influxd';
    this.log = options.log ?? ((msg) => process.stderr.write(`[managed-influxd] ${msg}\n`));
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.configPath = join(this.dataDir, 'influxd.conf');
    this.logPath = join(this.dataDir, 'influxd.log');
  }

  /** http://127.0.0.1:PORT while started (also while a crashed influxd is being restarted). */
  get url(): string | undefined {
    return this.supervising && this.httpPort !== undefined
      ? `http://127.0.0.1:${this.httpPort}`
      : undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The admin every request needs (influxd runs with authentication): generated on the first
   * start into `credentials.json` (0600) in the data dir. Set once start() resolved.
   */
  get credentials(): InfluxCredentials | undefined {
    return this.admin;
  }

  async start(): Promise<string> {
    if (this.supervising && this.url) return this.url;
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    rotateLog(this.logPath);
    process.on('exit', this.killOnExit);
    let lastError: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        await this.launch();
        const url = `http://127.0.0.1:${this.httpPort}`;
        this.admin = await ensureAdminUser(this.dataDir, url, this.options.credentials);
        this.supervising = true;
        this.log(`influxd ${this.pid} answering on 127.0.0.1:${this.httpPort}`);
        return this.url!;
      } catch (error) {
        lastError = error;
        await this.killChild();
        if (error instanceof StorageException) break; // its credentials: a retry cannot help
        const portClash = tailFile(this.logPath, 5).includes('address already in use');
        if (!portClash || this.options.httpPort !== undefined) break;
      }
    }
    process.off('exit', this.killOnExit);
    if (lastError instanceof StorageException) throw lastError;
    throw new StorageException(
      StorageExceptionCode.INFLUXD_START_FAILED,
      `influxd did not start (${(lastError as Error).message}); last lines of ${this.logPath}:\n` +
        tailFile(this.logPath),
      { cause: lastError },
    );
  }

  /** SIGTERM, up to 10 s grace, then SIGKILL; no influxd process is left behind. */
  async stop(): Promise<void> {
    this.supervising = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (child && isRunning(child)) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      let grace: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(true), STOP_GRACE_MS))),
      ]);
      clearTimeout(grace);
      if (timedOut) {
        this.log(
          `influxd ${child.pid} ignored SIGTERM for ${STOP_GRACE_MS} ms; killing it`,
          'warn',
        );
        child.kill('SIGKILL');
        await exited;
      }
    }
    this.child = undefined;
    process.off('exit', this.killOnExit);
  }

  /** Picks ports on first launch (restarts keep them), writes the config, spawns, waits for /ping. */
  private async launch(): Promise<void> {
    const [httpPort, rpcPort] = await freePorts(2);
    this.httpPort = this.options.httpPort ?? httpPort;
    writeFileSync(
      this.configPath,
      renderInfluxdConfig({ dataDir: this.dataDir, httpPort: this.httpPort, rpcPort }),
      { mode: 0o600 },
    );
    await this.spawnAndWait();
  }

  private async spawnAndWait(): Promise<void> {
    const child = spawnInfluxd(this.influxdPath, this.configPath, this.logPath);
    this.child = child;
    this.childStartedAt = Date.now();
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));
    child.once('exit', (code, signal) => this.onChildExit(child, code, signal));
    await this.waitReady(child, () => spawnError);
  }

  private async waitReady(child: ChildProcess, spawnError: () => Error | undefined): Promise<void> {
    const url = `http://127.0.0.1:${this.httpPort}`;
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      const failure = spawnError();
      if (failure) throw new Error(`influxd could not be spawned: ${failure.message}`);
      if (!isRunning(child)) {
        throw new Error(
          `influxd exited during start-up: ${describeExit(child.exitCode, child.signalCode)}`,
        );
      }
      if (await pingOnce(url, 1000)) return;
      await delay(100);
    }
    throw new Error(`no answer on ${url}/ping within ${this.startTimeoutMs} ms`);
  }

  private onChildExit(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (child !== this.child) return;
    this.child = undefined;
    if (!this.supervising) return;
    this.scheduleRestart(
      `influxd ${child.pid} exited unexpectedly (${describeExit(code, signal)})`,
    );
  }

  private scheduleRestart(reason: string): void {
    if (Date.now() - this.childStartedAt >= STABLE_RUN_MS) this.restartAttempt = 0;
    const wait = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** this.restartAttempt);
    this.restartAttempt++;
    this.log(`${reason}; restarting in ${wait} ms`, 'warn');
    this.restartTimer = setTimeout(() => void this.restart(), wait);
  }

  /** Same ports and config. A failed restart kills the child; its exit schedules the next try. */
  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    if (!this.supervising) return;
    try {
      await this.spawnAndWait();
      this.log(`influxd restarted as ${this.pid}, answering on 127.0.0.1:${this.httpPort}`);
    } catch (error) {
      if (!this.supervising) return;
      const reason = `influxd restart failed: ${(error as Error).message}`;
      const child = this.child;
      if (child && isRunning(child)) {
        this.log(reason, 'warn');
        child.kill('SIGKILL');
      } else if (child?.pid === undefined && this.restartTimer === undefined) {
        // never spawned: no exit event will come, so schedule the next try here
        this.child = undefined;
        this.scheduleRestart(reason);
      }
    }
  }

  private async killChild(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || !isRunning(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}
