import { Inject, Injectable, Logger } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { Reading } from '@iag/contracts';
import { InfluxConnection, isRejection } from '../influx/influx-connection';
import { PointSpool, SpoolBatch } from '../spool/point-spool';
import { POINT_SPOOL } from '../storage.constants';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { observeSpool, pointsWritten, writeDuration, writeErrors } from '../storage.metrics';
import { backoffDelay } from './backoff';
import { telemetryLines } from './line-protocol';
import { SpoolIntake, WhenFull } from './spool-intake';

export interface SpoolStats {
  readings: number;
  bytes: number;
  maxBytes: number;
  /** Age of the oldest reading InfluxDB has not confirmed; null when the spool is empty. */
  oldestAgeMs: number | null;
  /** Callers waiting for room (QoS 1 publishes held without PUBACK). */
  waiting: number;
  full: boolean;
}

export interface TelemetryWriterStats {
  spool: SpoolStats;
  writtenPoints: number;
  failedWrites: number;
  retrying: boolean;
  lastError: string | null;
}

const STORED = Promise.resolve(true);

/**
 * Telemetry into InfluxDB through the durable spool: enqueue() resolves once the readings are on
 * disk (the PUBACK waits on it), and they leave the spool only after InfluxDB confirmed them.
 * The messages of one event-loop turn share one spool entry (one put, one fsync, one promise).
 * A batch goes out at `batchPoints` readings or `batchMs` after its oldest arrived, oldest first,
 * one write in flight; failures are retried with capped, jittered backoff. The spool is bounded
 * by SPOOL_MAX_BYTES: when full, callers wait in arrival order or are turned away.
 */
@Injectable()
export class TelemetryWriter {
  private readonly logger = new Logger(TelemetryWriter.name);
  private readonly intake: SpoolIntake;
  private readonly drainWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private pumping: Promise<void> | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private cancelSleep: (() => void) | undefined;
  private writtenPoints = 0;
  private failedWrites = 0;
  private failureStreak = 0;
  private lastError: string | null = null;

  constructor(
    private readonly config: GatewayConfig,
    private readonly influx: InfluxConnection,
    @Inject(POINT_SPOOL) private readonly spool: PointSpool,
  ) {
    this.intake = new SpoolIntake(spool, config.spool.maxBytes, () => this.schedule());
    observeSpool(() => this.stats().spool);
  }

  /** Starts draining what an earlier run left in the spool. */
  start(): void {
    this.schedule();
  }

  /**
   * Resolves true once the readings are durable in the spool. When it is full, 'wait' waits for
   * room (in arrival order) and 'drop' resolves false at once. Rejects when the spool cannot
   * store them or the writer is closed: then nothing may be acknowledged.
   */
  enqueue(deviceId: string, readings: Reading[], whenFull: WhenFull = 'wait'): Promise<boolean> {
    if (readings.length === 0) return STORED;
    if (this.closed) return Promise.reject(closedError());
    return this.intake.enqueue(telemetryLines(deviceId, readings), readings.length, whenFull);
  }

  /** Writes everything spooled now and later until the spool is empty. */
  flush(): Promise<void> {
    this.intake.seal();
    if (this.spool.depth().readings === 0 && !this.pumping) return Promise.resolve();
    if (this.closed) {
      return Promise.reject(
        new StorageException(StorageExceptionCode.INFLUX_UNAVAILABLE, 'the writer is closed'),
      );
    }
    const drained = new Promise<void>((resolve, reject) =>
      this.drainWaiters.push({ resolve, reject }),
    );
    this.schedule();
    return drained;
  }

  stats(): TelemetryWriterStats {
    const depth = this.spool.depth();
    const maxBytes = this.config.spool.maxBytes;
    const bytes = depth.bytes + this.intake.pendingBytes;
    const waiting = this.intake.waiting;
    return {
      spool: {
        readings: depth.readings + this.intake.pendingReadings,
        bytes,
        oldestAgeMs: depth.oldestAt === undefined ? null : Math.max(0, Date.now() - depth.oldestAt),
        waiting,
        maxBytes,
        full: bytes >= maxBytes || waiting > 0,
      },
      writtenPoints: this.writtenPoints,
      failedWrites: this.failedWrites,
      retrying: this.failureStreak > 0,
      lastError: this.lastError,
    };
  }

  /**
   * Shutdown: refuses new readings, drains to InfluxDB for up to `timeoutMs`, then stops. What
   * was not written stays in the spool for the next start; returns how many readings that is.
   */
  async close(timeoutMs = this.config.writer.shutdownFlushMs): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.flush().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]).catch(() => false);
    clearTimeout(timer);
    this.closed = true;
    clearTimeout(this.timer);
    this.cancelSleep?.();
    const error = closedError();
    this.drainWaiters.splice(0).forEach((w) => w.reject(error));
    // What was accepted but not yet appended still goes to disk (its messages wait on it).
    await this.intake.close(error);
    // A write in flight is not waited for long: if InfluxDB confirms it after the spool
    // closed, its batch is simply replayed next start.
    await Promise.race([this.pumping, new Promise((resolve) => setTimeout(resolve, 1000))]);
    const left = this.spool.depth().readings;
    if (!drained) this.logger.warn(`${left} readings stay in the spool for the next start`);
    return left;
  }

  /** Starts a write when one is due, else arms the timer for the oldest reading's deadline. */
  private schedule(): void {
    if (this.pumping || this.closed || this.spool.depth().readings === 0) return;
    if (this.batchDue()) {
      const pumped = this.pump().catch((error: Error) => {
        this.logger.error(`spool read failed: ${error.message}`);
        return true; // the next append tries again
      });
      this.pumping = pumped.then((waitForCommit) => {
        this.pumping = undefined;
        if (this.spool.depth().readings === 0) {
          this.drainWaiters.splice(0).forEach((w) => w.resolve());
        }
        // what is left is still committing: its append reschedules once it is stored
        if (!waitForCommit) this.schedule();
      });
    } else if (this.timer === undefined) {
      const oldestAt = this.spool.depth().oldestAt ?? Date.now();
      const wait = Math.max(0, oldestAt + this.config.writer.batchMs - Date.now());
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
    }
  }

  private batchDue(): boolean {
    const { readings, oldestAt } = this.spool.depth();
    // A full batch counts only what peek() can see: counting an entry still committing sent
    // the stored part early as a short batch.
    return (
      readings - this.intake.committingReadings >= this.config.writer.batchPoints ||
      this.drainWaiters.length > 0 ||
      (oldestAt !== undefined && Date.now() - oldestAt >= this.config.writer.batchMs)
    );
  }

  /** Writes due batches; true when it stopped because the rest is still committing. */
  private async pump(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (!this.closed && this.batchDue()) {
      const batch = this.spool.peek(this.config.writer.batchPoints);
      if (batch === null) return true;
      await this.writeOldestBatch(batch);
    }
    return false;
  }

  /** Retries the same oldest batch until InfluxDB confirms it (or refuses it for its content). */
  private async writeOldestBatch(batch: SpoolBatch): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const endTimer = writeDuration.startTimer();
      try {
        await this.influx.writeLines(batch.lines);
        endTimer();
        this.confirmed(batch);
        return;
      } catch (error) {
        endTimer();
        if (isRejection(error)) {
          this.rejected(batch, error);
          return;
        }
        this.failed(error, attempt);
        await this.sleep(backoffDelay(attempt));
      }
    }
  }

  private confirmed(batch: SpoolBatch): void {
    this.forget(batch);
    pointsWritten.inc(batch.readings);
    this.writtenPoints += batch.readings;
    if (this.failureStreak > 0) {
      this.logger.log(`InfluxDB writes recovered after ${this.failureStreak} failed attempts`);
    }
    this.failureStreak = 0;
  }

  /** InfluxDB stored what it could of the batch and refused the rest: retrying cannot help. */
  private rejected(batch: SpoolBatch, error: unknown): void {
    this.forget(batch);
    writeErrors.inc({ kind: 'rejected' });
    this.failedWrites++;
    this.lastError = (error as Error).message;
    this.logger.error(`InfluxDB refused a batch of ${batch.readings} points: ${this.lastError}`);
  }

  private forget(batch: SpoolBatch): void {
    this.spool
      .ack(batch)
      .catch((error: Error) =>
        this.logger.warn(`spool cleanup failed (the batch will be replayed): ${error.message}`),
      );
    this.intake.roomFreed();
  }

  private failed(error: unknown, attempt: number): void {
    writeErrors.inc({ kind: 'retried' });
    this.failedWrites++;
    this.failureStreak++;
    this.lastError = (error as Error).message;
    // log the first failure and then on powers of two, not on every retry
    if ((attempt & (attempt - 1)) === 0) {
      this.logger.warn(
        `InfluxDB write failed (attempt ${attempt + 1}), retrying: ${this.lastError}`,
      );
    }
    if (/database not found/i.test(this.lastError)) {
      this.influx.ensureDatabase().catch(() => undefined);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.cancelSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cancelSleep = done;
    });
  }
}

function closedError(): StorageException {
  return new StorageException(StorageExceptionCode.SPOOL_UNAVAILABLE, 'the writer is closed');
}
