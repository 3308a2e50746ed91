import { Injectable, Logger } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { Reading } from '@iag/contracts';
import { InfluxConnection, isRejection } from '../influx/influx-connection';
import { StorageException, StorageExceptionCode } from '../storage.exception';
import { bufferedPoints, pointsWritten, writeDuration, writeErrors } from '../storage.metrics';
import { backoffDelay } from './backoff';
import { MemoryPointBuffer, PointBuffer } from './point-buffer';
import { toInfluxPoint } from './telemetry-point';

export interface TelemetryWriterStats {
  bufferedPoints: number;
  writtenPoints: number;
  failedWrites: number;
  retrying: boolean;
  lastError: string | null;
}

/**
 * Batches telemetry into InfluxDB: a batch leaves at `batchPoints` points or `batchMs` after
 * its oldest point arrived; one write in flight; failures are retried in order with capped,
 * jittered backoff, and points stay buffered until InfluxDB confirms them. A full buffer
 * makes enqueue() wait (backpressure), it never rejects or drops.
 */
@Injectable()
export class TelemetryWriter {
  private readonly logger = new Logger(TelemetryWriter.name);
  private readonly buffer: PointBuffer = new MemoryPointBuffer();
  private readonly roomWaiters: Array<() => void> = [];
  private readonly drainWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  /** Woken room waiters that have not appended yet; keeps callers in arrival order. */
  private waking = 0;
  private writing = false;
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
  ) {}

  /** Resolves once the points are buffered; waits while the buffer is full. */
  async enqueue(deviceId: string, readings: Reading[]): Promise<void> {
    if (readings.length === 0) return;
    if (this.roomWaiters.length > 0 || this.waking > 0 || this.isFull()) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      this.waking--;
    }
    this.buffer.append(
      readings.map((r) => ({ deviceId, ts: r.ts, values: r.values })),
      Date.now(),
    );
    bufferedPoints.inc(readings.length);
    this.wakeWaiter();
    this.schedule();
  }

  /** Writes everything buffered now and later until the buffer is empty. */
  flush(): Promise<void> {
    if (this.buffer.size === 0 && !this.writing) return Promise.resolve();
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
    return {
      bufferedPoints: this.buffer.size,
      writtenPoints: this.writtenPoints,
      failedWrites: this.failedWrites,
      retrying: this.failureStreak > 0,
      lastError: this.lastError,
    };
  }

  /**
   * Shutdown: drains for up to `timeoutMs`, then stops retrying. Returns how many points were
   * left unwritten (lost until the durable spool replaces the in-memory buffer).
   */
  async close(timeoutMs = 10_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.flush().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]).catch(() => false);
    clearTimeout(timer);
    this.closed = true;
    clearTimeout(this.timer);
    this.cancelSleep?.();
    const lost = this.buffer.size;
    if (!drained) this.logger.error(`shutting down with ${lost} telemetry points not written`);
    const error = new StorageException(
      StorageExceptionCode.INFLUX_UNAVAILABLE,
      `writer closed with ${lost} points unwritten`,
    );
    this.drainWaiters.splice(0).forEach((w) => w.reject(error));
    for (const wake of this.roomWaiters.splice(0)) {
      this.waking++;
      wake();
    }
    return lost;
  }

  private isFull(): boolean {
    return this.buffer.size >= this.config.writer.bufferPoints;
  }

  private wakeWaiter(): void {
    if (this.waking > 0 || this.isFull()) return;
    const wake = this.roomWaiters.shift();
    if (!wake) return;
    this.waking++;
    wake();
  }

  /** Starts a write when one is due, else arms the timer for the oldest point's deadline. */
  private schedule(): void {
    if (this.writing || this.closed || this.buffer.size === 0) return;
    if (this.batchDue()) {
      void this.pump();
    } else if (this.timer === undefined) {
      const wait = Math.max(
        0,
        (this.buffer.oldestAt ?? Date.now()) + this.config.writer.batchMs - Date.now(),
      );
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
    }
  }

  private batchDue(): boolean {
    const oldestAt = this.buffer.oldestAt;
    return (
      this.buffer.size >= this.config.writer.batchPoints ||
      this.drainWaiters.length > 0 ||
      (oldestAt !== undefined && Date.now() - oldestAt >= this.config.writer.batchMs)
    );
  }

  private async pump(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = true;
    try {
      while (!this.closed && this.buffer.size > 0 && this.batchDue()) {
        await this.writeOldestBatch();
      }
    } finally {
      this.writing = false;
    }
    if (this.buffer.size === 0) this.drainWaiters.splice(0).forEach((w) => w.resolve());
    this.schedule();
  }

  /** Retries the same oldest batch until InfluxDB confirms it (or refuses it for its content). */
  private async writeOldestBatch(): Promise<void> {
    const batch = this.buffer.peek(this.config.writer.batchPoints);
    for (let attempt = 0; !this.closed; attempt++) {
      const endTimer = writeDuration.startTimer();
      try {
        await this.influx.writeBatch(batch.map(toInfluxPoint));
        endTimer();
        this.confirmed(batch.length);
        return;
      } catch (error) {
        endTimer();
        if (isRejection(error)) {
          this.rejected(batch.length, error);
          return;
        }
        this.failed(error, attempt);
        await this.sleep(backoffDelay(attempt));
      }
    }
  }

  private confirmed(count: number): void {
    this.buffer.ack(count);
    bufferedPoints.dec(count);
    pointsWritten.inc(count);
    this.writtenPoints += count;
    if (this.failureStreak > 0) {
      this.logger.log(`InfluxDB writes recovered after ${this.failureStreak} failed attempts`);
    }
    this.failureStreak = 0;
    this.wakeWaiter();
  }

  /** InfluxDB stored what it could of the batch and refused the rest: retrying cannot help. */
  private rejected(count: number, error: unknown): void {
    this.buffer.ack(count);
    bufferedPoints.dec(count);
    writeErrors.inc({ kind: 'rejected' });
    this.failedWrites++;
    this.lastError = (error as Error).message;
    this.logger.error(`InfluxDB refused a batch of ${count} points: ${this.lastError}`);
    this.wakeWaiter();
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
