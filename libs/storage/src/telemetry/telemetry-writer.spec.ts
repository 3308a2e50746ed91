import { GatewayConfig } from '@iag/config';
import { Logger } from '@nestjs/common';
import { InfluxConnection } from '../influx/influx-connection';
import { MemoryPointSpool } from '../spool/testing/memory-point-spool';
import { telemetryLines } from './line-protocol';
import { TelemetryWriter } from './telemetry-writer';

/** Stands in for InfluxDB: each write takes the next scripted outcome (default: success). */
class FakeInflux {
  /** The lines of each write. */
  readonly batches: string[][] = [];
  readonly outcomes: Array<'ok' | 'fail' | 'reject' | Promise<void>> = [];
  inFlight = 0;
  maxInFlight = 0;

  async writeLines(lines: string): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.batches.push(lines.trimEnd().split('\n'));
    try {
      const outcome = this.outcomes.shift() ?? 'ok';
      if (outcome === 'fail') throw new Error('connect ECONNREFUSED');
      if (outcome === 'reject')
        throw Object.assign(new Error('partial write: points beyond retention'), {
          res: { statusCode: 400 },
        });
      if (outcome !== 'ok') await outcome;
    } finally {
      this.inFlight--;
    }
  }

  async ensureDatabase(): Promise<void> {}

  get written(): number[] {
    return this.batches.flat().map((line) => Number(/ v=([^ ]+) /.exec(line)![1]));
  }
}

function writer(
  fake: FakeInflux,
  env: Record<string, string> = {},
  spool = new MemoryPointSpool(),
): TelemetryWriter {
  const config = GatewayConfig.fromEnv({
    WRITE_BATCH_POINTS: '4',
    WRITE_BATCH_MS: '20',
    ...env,
  });
  const w = new TelemetryWriter(config, fake as unknown as InfluxConnection, spool);
  w.start();
  return w;
}

const emptySpool = { readings: 0, bytes: 0, oldestAgeMs: null, waiting: 0, full: false };

const values = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ ts: 1_000 + from + i, values: { v: from + i } }));

function deferred(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe(TelemetryWriter.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('spools the messages of one event-loop turn as one entry, in arrival order', async () => {
    const spool = new MemoryPointSpool();
    const fake = new FakeInflux();
    // No batch is due before flush(), so the count below cannot race a write on a slow machine.
    const w = writer(fake, { WRITE_BATCH_POINTS: '5000', WRITE_BATCH_MS: '60000' }, spool);
    const stored = await Promise.all(
      Array.from({ length: 100 }, (_, i) => w.enqueue(`d${i % 7}`, values(i, 1))),
    );
    expect(stored.every(Boolean)).toBe(true);
    expect(spool.appends).toBe(1);
    expect(w.stats().spool.readings).toBe(100);
    await w.flush();
    expect(fake.written).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('batches whole entries: at most batchPoints readings, but never splits one', async () => {
    const fake = new FakeInflux();
    const w = writer(fake, { WRITE_BATCH_MS: '60000' });
    await w.enqueue('d', values(0, 3));
    await w.enqueue('d', values(3, 2));
    await w.enqueue('d', values(5, 6));
    await w.flush();
    expect(fake.batches.map((b) => b.length)).toEqual([3, 2, 6]);
    expect(fake.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('counts only committed readings towards a full batch: an entry still committing waits for it', async () => {
    const spool = new MemoryPointSpool();
    const fake = new FakeInflux();
    const w = writer(fake, { WRITE_BATCH_MS: '60000' }, spool);
    const firstWrite = deferred();
    fake.outcomes.push(firstWrite.promise);
    await w.enqueue('d', values(0, 2));
    await w.enqueue('d', values(2, 2)); // 4 readings: the first batch goes out and hangs
    await w.enqueue('d', values(4, 2));
    const disk = deferred();
    spool.commitsHeldUntil = disk.promise;
    const committing = w.enqueue('d', values(6, 2));
    await new Promise((resolve) => setImmediate(resolve)); // the turn's entry goes to the spool
    firstWrite.release();
    // Everything the release sets off is promise callbacks: one macrotask later they have run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(spool.depth().readings).toBe(4); // 2 stored + 2 committing: not a batch of 4 yet
    expect(fake.batches.map((b) => b.length)).toEqual([4]);
    disk.release();
    await committing;
    await w.flush();
    expect(fake.batches.map((b) => b.length)).toEqual([4, 4]);
    expect(fake.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('resolves flush() at once when nothing is buffered', async () => {
    const fake = new FakeInflux();
    await writer(fake).flush();
    expect(fake.batches).toHaveLength(0);
  });

  it('retries a failed batch unchanged and in order, with one write in flight', async () => {
    const fake = new FakeInflux();
    fake.outcomes.push('fail', 'fail', 'fail');
    const w = writer(fake);
    await Promise.all([w.enqueue('d', values(0, 2)), w.enqueue('e', values(2, 2))]);
    for (let i = 4; i < 10; i++) await w.enqueue('d', values(i, 1));
    await w.flush();

    expect(fake.batches.slice(0, 4).map((b) => b.map((line) => line.split(' ')[1]))).toEqual([
      ['v=0', 'v=1', 'v=2', 'v=3'],
      ['v=0', 'v=1', 'v=2', 'v=3'],
      ['v=0', 'v=1', 'v=2', 'v=3'],
      ['v=0', 'v=1', 'v=2', 'v=3'],
    ]);
    expect(fake.written.slice(12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fake.maxInFlight).toBe(1);
    expect(w.stats()).toEqual({
      spool: { ...emptySpool, maxBytes: 1024 ** 3 },
      writtenPoints: 10,
      failedWrites: 3,
      retrying: false,
      lastError: 'connect ECONNREFUSED',
    });
  });

  it('drops a batch InfluxDB refuses for its content (400) and carries on', async () => {
    const fake = new FakeInflux();
    fake.outcomes.push('reject');
    const w = writer(fake, { WRITE_BATCH_MS: '60000' });
    for (let i = 0; i < 6; i++) await w.enqueue('d', values(i, 1));
    await w.flush();
    expect(fake.batches.map((b) => b.length)).toEqual([4, 2]);
    expect(w.stats()).toMatchObject({
      spool: { readings: 0 },
      writtenPoints: 2,
      failedWrites: 1,
      retrying: false,
    });
    expect(w.stats().lastError).toContain('partial write');
  });

  /** Fills a 1 MiB spool with 1000-reading messages while InfluxDB hangs on `gate`. */
  async function fullWriter(fake: FakeInflux, gate: Promise<void>) {
    fake.outcomes.push(gate);
    const w = writer(fake, { WRITE_BATCH_POINTS: '500', SPOOL_MAX_BYTES: '1048576' });
    let next = 0;
    while (await w.enqueue('d', values(next, 1000), 'drop')) next += 1000;
    return { w, filled: next };
  }

  it('makes callers wait while the spool is full, and lets them in in arrival order', async () => {
    const fake = new FakeInflux();
    const gate = deferred();
    const { w, filled } = await fullWriter(fake, gate.promise);

    const order: string[] = [];
    const first = w.enqueue('d', values(1e6, 1000)).then(() => order.push('first'));
    const second = w.enqueue('d', values(2e6, 3)).then(() => order.push('second'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    expect(w.stats().spool).toMatchObject({ readings: filled, waiting: 2, full: true });
    expect(w.stats().spool.bytes).toBeLessThanOrEqual(1024 ** 2);

    gate.release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    await w.flush();
    expect(fake.written.slice(-5)).toEqual([1e6 + 998, 1e6 + 999, 2e6, 2e6 + 1, 2e6 + 2]);
    expect(w.stats().writtenPoints).toBe(filled + 1003);
  });

  it("turns 'drop' callers away at once while the spool is full", async () => {
    const fake = new FakeInflux();
    const gate = deferred();
    const { w, filled } = await fullWriter(fake, gate.promise);
    expect(await w.enqueue('d', values(1e6, 1000), 'drop')).toBe(false);
    expect(w.stats().spool.readings).toBe(filled);
    gate.release();
    await w.flush();
    expect(await w.enqueue('d', values(1e6, 1000), 'drop')).toBe(true);
  });

  it('rejects, counting nothing, when the spool cannot store the readings', async () => {
    const spool = new MemoryPointSpool();
    const w = writer(new FakeInflux(), {}, spool);
    spool.failNextAppend = true;
    await expect(w.enqueue('d', values(0, 3))).rejects.toThrow('disk full');
    expect(w.stats().spool.readings).toBe(0);
  });

  it('close() gives up after its timeout and leaves the rest in the spool', async () => {
    const fake = new FakeInflux();
    fake.outcomes.push(...Array<'fail'>(1000).fill('fail'));
    const spool = new MemoryPointSpool();
    const w = writer(fake, {}, spool);
    await w.enqueue('d', values(0, 6));
    const started = Date.now();
    expect(await w.close(200)).toBe(6);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(spool.depth().readings).toBe(6);
    const attempts = fake.batches.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.batches.length).toBe(attempts);
    await expect(w.flush()).rejects.toThrow('closed');
    await expect(w.enqueue('d', values(6, 1))).rejects.toThrow('closed');
  });

  it('drains what an earlier run left in the spool once started', async () => {
    const spool = new MemoryPointSpool();
    await spool.append(telemetryLines('d', values(0, 3)), 3, Date.now() - 60_000);
    const fake = new FakeInflux();
    const w = writer(fake, {}, spool);
    await w.flush();
    expect(fake.written).toEqual([0, 1, 2]);
    expect(w.stats().spool.readings).toBe(0);
  });
});
