import { performance } from 'node:perf_hooks';
import { ENTRY_OVERHEAD_BYTES, entryBytes, PointSpool } from '../spool/point-spool';
import { spoolAppendDuration } from '../storage.metrics';

/** What enqueue() does when the spool has no room: wait for it (QoS 1) or give up at once (QoS 0). */
export type WhenFull = 'wait' | 'drop';

const NOT_STORED = Promise.resolve(false);

/** The messages of one event-loop turn: appended to the spool as one entry, at one fsync. */
class PendingEntry {
  lines = '';
  readings = 0;
  readonly at = Date.now();
  readonly stored: Promise<boolean>;
  resolve!: (stored: boolean) => void;
  reject!: (error: Error) => void;

  constructor() {
    this.stored = new Promise<boolean>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

interface RoomWaiter {
  lines: string;
  readings: number;
  resolve: (stored: Promise<boolean>) => void;
  reject: (error: Error) => void;
}

/**
 * The way into the spool. Every message of one event-loop turn joins one entry, appended when
 * the turn's I/O callbacks have run: one put, one fsync and one promise for the lot, where a
 * put per message cost the flood a third of the gateway's CPU (issue 7). The spool is bounded
 * by `maxBytes`: over it, callers wait in arrival order ('wait') or are turned away ('drop').
 */
export class SpoolIntake {
  private readonly roomWaiters: RoomWaiter[] = [];
  private readonly appending = new Set<Promise<void>>();
  private pending: PendingEntry | undefined;
  private appendingReadings = 0;

  constructor(
    private readonly spool: PointSpool,
    private readonly maxBytes: number,
    /** Called after each entry is durable (the writer may have a batch to send). */
    private readonly onStored: () => void,
  ) {}

  /** Readings and bytes accepted but not yet handed to the spool. */
  get pendingReadings(): number {
    return this.pending?.readings ?? 0;
  }

  get pendingBytes(): number {
    return this.pending ? entryBytes(this.pending.lines) : 0;
  }

  get waiting(): number {
    return this.roomWaiters.length;
  }

  /** Readings the spool already counts but is still committing (peek() cannot see them yet). */
  get committingReadings(): number {
    return this.appendingReadings;
  }

  /** Resolves true once `lines` are durable, false when 'drop' found no room. */
  enqueue(lines: string, readings: number, whenFull: WhenFull): Promise<boolean> {
    if (this.roomWaiters.length === 0 && this.fits(lines.length)) return this.add(lines, readings);
    if (whenFull === 'drop') return NOT_STORED;
    return new Promise((resolve, reject) =>
      this.roomWaiters.push({ lines, readings, resolve, reject }),
    );
  }

  /** Hands this turn's entry to the spool now (flush, shutdown) instead of at the turn's end. */
  seal(): void {
    const entry = this.pending;
    if (entry === undefined) return;
    this.pending = undefined;
    const sealedAt = performance.now();
    const appended = this.spool.append(entry.lines, entry.readings, entry.at);
    this.appending.add(appended);
    this.appendingReadings += entry.readings;
    appended.then(
      () => {
        spoolAppendDuration.observe((performance.now() - sealedAt) / 1000);
        this.appendingReadings -= entry.readings;
        this.appending.delete(appended);
        entry.resolve(true);
        this.onStored();
      },
      (error: Error) => {
        this.appendingReadings -= entry.readings;
        this.appending.delete(appended);
        entry.reject(error);
        this.roomFreed(); // counted bytes that never landed
      },
    );
  }

  /** Lets waiters in, oldest first, while they fit. */
  roomFreed(): void {
    while (this.roomWaiters.length > 0 && this.fits(this.roomWaiters[0].lines.length)) {
      const waiter = this.roomWaiters.shift()!;
      waiter.resolve(this.add(waiter.lines, waiter.readings));
    }
  }

  /** Turns away every waiter and waits for the appends in flight (durable within a commit). */
  async close(error: Error): Promise<void> {
    this.seal();
    this.roomWaiters.splice(0).forEach((waiter) => waiter.reject(error));
    await Promise.allSettled(this.appending);
  }

  private add(lines: string, readings: number): Promise<boolean> {
    let entry = this.pending;
    if (entry === undefined) {
      entry = this.pending = new PendingEntry();
      setImmediate(() => this.seal());
    }
    entry.lines += lines;
    entry.readings += readings;
    return entry.stored;
  }

  /** Something larger than the whole bound still goes into an empty spool, or it would wait forever. */
  private fits(bytes: number): boolean {
    const depth = this.spool.depth();
    const pending = this.pending;
    if (depth.entries === 0 && pending === undefined) return true;
    const used = depth.bytes + (pending ? entryBytes(pending.lines) : ENTRY_OVERHEAD_BYTES);
    return used + bytes <= this.maxBytes;
  }
}
