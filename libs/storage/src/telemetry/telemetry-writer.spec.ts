import { GatewayConfig } from '@iag/config';
import { Logger } from '@nestjs/common';
import type { IPoint } from 'influx';
import { InfluxConnection } from '../influx/influx-connection';
import { TelemetryWriter } from './telemetry-writer';

/** Stands in for InfluxDB: each write takes the next scripted outcome (default: success). */
class FakeInflux {
  readonly batches: IPoint[][] = [];
  readonly outcomes: Array<'ok' | 'fail' | 'reject' | Promise<void>> = [];
  inFlight = 0;
  maxInFlight = 0;

  async writeBatch(points: IPoint[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.batches.push(points);
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
    return this.batches.flat().map((p) => p.fields!.v as number);
  }
}

function writer(fake: FakeInflux, env: Record<string, string> = {}): TelemetryWriter {
  const config = GatewayConfig.fromEnv({
    WRITE_BATCH_POINTS: '4',
    WRITE_BATCH_MS: '20',
    WRITE_BUFFER_POINTS: '1000',
    ...env,
  });
  return new TelemetryWriter(config, fake as unknown as InfluxConnection);
}

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

  it('resolves flush() at once when nothing is buffered', async () => {
    const fake = new FakeInflux();
    await writer(fake).flush();
    expect(fake.batches).toHaveLength(0);
  });

  it('retries a failed batch unchanged and in order, with one write in flight', async () => {
    const fake = new FakeInflux();
    fake.outcomes.push('fail', 'fail', 'fail');
    const w = writer(fake);
    await w.enqueue('d', values(0, 10));
    await w.flush();

    expect(fake.batches.slice(0, 4).map((b) => b.map((p) => p.fields!.v))).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [0, 1, 2, 3],
    ]);
    expect(fake.written.slice(12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fake.maxInFlight).toBe(1);
    expect(w.stats()).toEqual({
      bufferedPoints: 0,
      writtenPoints: 10,
      failedWrites: 3,
      retrying: false,
      lastError: 'connect ECONNREFUSED',
    });
  });

  it('drops a batch InfluxDB refuses for its content (400) and carries on', async () => {
    const fake = new FakeInflux();
    fake.outcomes.push('reject');
    const w = writer(fake);
    await w.enqueue('d', values(0, 6));
    await w.flush();
    expect(fake.batches.map((b) => b.length)).toEqual([4, 2]);
    expect(w.stats()).toMatchObject({
      bufferedPoints: 0,
      writtenPoints: 2,
      failedWrites: 1,
      retrying: false,
    });
    expect(w.stats().lastError).toContain('partial write');
  });

  it('makes callers wait while the buffer is full, and lets them in in arrival order', async () => {
    const fake = new FakeInflux();
    const gate = deferred();
    fake.outcomes.push(gate.promise);
    const w = writer(fake, { WRITE_BATCH_POINTS: '500' });
    await w.enqueue('d', values(0, 1000));

    const order: string[] = [];
    const first = w.enqueue('d', values(1000, 3)).then(() => order.push('first'));
    const second = w.enqueue('d', values(2000, 3)).then(() => order.push('second'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    expect(w.stats().bufferedPoints).toBe(1000);

    gate.release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    await w.flush();
    expect(fake.written.slice(-6)).toEqual([1000, 1001, 1002, 2000, 2001, 2002]);
    expect(w.stats().writtenPoints).toBe(1006);
  });

  it('close() gives up after its timeout and reports the points left unwritten', async () => {
    const fake = new FakeInflux();
    fake.outcomes.push(...Array<'fail'>(1000).fill('fail'));
    const w = writer(fake);
    await w.enqueue('d', values(0, 6));
    const started = Date.now();
    expect(await w.close(200)).toBe(6);
    expect(Date.now() - started).toBeLessThan(1000);
    const attempts = fake.batches.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.batches.length).toBe(attempts);
    await expect(w.flush()).rejects.toThrow('closed');
  });
});
