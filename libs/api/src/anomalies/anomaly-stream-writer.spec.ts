import type { Anomaly, AnomalyEvent, AnomalyStreamQuery } from '@iag/contracts';
import type { AnomalyEventReplay, LoggedAnomalyEvent } from '@iag/storage';
import { Writable } from 'node:stream';
import { Subject } from 'rxjs';
import { AnomalyEventSource } from './anomaly-stream';
import { AnomalyStreamOptions, AnomalyStreamWriter } from './anomaly-stream-writer';

function event(
  seq: number,
  deviceId = 'a',
  severity: Anomaly['severity'] = 'warning',
  type: AnomalyEvent['type'] = 'opened',
): LoggedAnomalyEvent {
  const anomaly = { id: `${deviceId}-a`, deviceId, severity } as Anomaly;
  return { seq, type, anomaly };
}

/** An in-memory log keeping the newest `capacity` events, as AnomalyEventLog does. */
class FakeLog implements AnomalyEventSource {
  readonly kept: LoggedAnomalyEvent[] = [];
  private readonly subject = new Subject<LoggedAnomalyEvent>();
  readonly appended = this.subject.asObservable();
  reads = 0;

  constructor(private readonly capacity = 100_000) {}

  append(...events: LoggedAnomalyEvent[]): void {
    for (const e of events) {
      this.kept.push(e);
      if (this.kept.length > this.capacity) this.kept.shift();
      this.subject.next(e);
    }
  }

  appendMany(from: number, count: number, make = (seq: number) => event(seq)): void {
    for (let seq = from; seq < from + count; seq++) this.append(make(seq));
  }

  since(seq: number): AnomalyEventReplay {
    this.reads++;
    const oldest = this.kept[0]?.seq ?? seq + 1;
    return { events: this.kept.filter((e) => e.seq > seq), gap: seq < oldest - 1 };
  }

  latestSeq(): number {
    return this.kept.at(-1)?.seq ?? 0;
  }
}

/** A response with real stream back-pressure: a small buffer, and a reader that can stop reading. */
class FakeResponse extends Writable {
  readonly received: string[] = [];
  status = 0;
  private held: Array<() => void> = [];
  private reading = true;

  constructor() {
    super({ highWaterMark: 256, decodeStrings: false });
  }

  writeHead(status: number): this {
    this.status = status;
    return this;
  }

  override _write(chunk: string, _encoding: string, done: () => void): void {
    this.received.push(chunk);
    if (this.reading) done();
    else this.held.push(done);
  }

  pause(): void {
    this.reading = false;
  }

  read(): void {
    this.reading = true;
    for (const done of this.held.splice(0)) done();
  }

  /** What the writer gave the socket but the reader has not taken: the stream's memory cost. */
  bufferedBytes(): number {
    return this.writableLength;
  }

  text(): string {
    return this.received.join('');
  }

  ids(): string[] {
    return [...this.text().matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
  }
}

function open(
  log: FakeLog,
  options: Partial<AnomalyStreamOptions> & { query?: AnomalyStreamQuery } = {},
) {
  const response = new FakeResponse();
  const onFinish = jest.fn();
  const writer = new AnomalyStreamWriter(
    log,
    response,
    { query: {}, lastEventId: undefined, heartbeatMs: 60_000, stallTimeoutMs: 60_000, ...options },
    onFinish,
  );
  writer.start();
  return { response, writer, onFinish };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(AnomalyStreamWriter.name, () => {
  const writers: AnomalyStreamWriter[] = [];
  const track = (opened: ReturnType<typeof open>) => (writers.push(opened.writer), opened);
  afterEach(() => writers.splice(0).forEach((w) => w.close()));

  it('opens with a comment, then passes only the matching live events', () => {
    const log = new FakeLog();
    const { response } = track(open(log, { query: { deviceId: 'a', severity: 'critical' } }));
    log.append(event(1, 'a', 'critical'), event(2, 'b', 'critical'), event(3, 'a', 'warning'));
    log.append(event(4, 'a', 'critical', 'closed'));
    expect(response.status).toBe(200);
    expect(response.received[0]).toBe(': connected\n\n');
    expect(response.ids()).toEqual(['1', '4']);
    expect(response.text()).toContain('event: closed\nid: 4\ndata: {"id":"a-a","deviceId":"a"');
    expect(log.reads).toBe(0); // a reader that keeps up never reads the log
  });

  it('without Last-Event-ID sends only what happens from now on', () => {
    const log = new FakeLog();
    log.append(event(1));
    const { response } = track(open(log));
    log.append(event(2));
    expect(response.ids()).toEqual(['2']);
  });

  it('resumes after Last-Event-ID with the kept events, then live ones, none twice or missing', () => {
    const log = new FakeLog();
    log.appendMany(1, 5);
    const { response } = track(open(log, { lastEventId: 2 }));
    log.append(event(6));
    expect(response.ids()).toEqual(['3', '4', '5', '6']);
    expect(response.text()).not.toContain('resync');
  });

  it('applies the filters to the replay too', () => {
    const log = new FakeLog();
    log.append(event(1, 'a'), event(2, 'b'), event(3, 'a', 'critical'));
    const { response } = track(open(log, { lastEventId: 0, query: { deviceId: 'a' } }));
    expect(response.ids()).toEqual(['1', '3']);
  });

  it('says resync when events after the client id were trimmed, then sends what is kept', () => {
    const log = new FakeLog(3);
    log.appendMany(1, 10);
    const { response } = track(open(log, { lastEventId: 4 }));
    expect(response.received[1]).toBe(
      'event: resync\ndata: {"reason":"events were trimmed from the log","latestId":"10"}\n\n',
    );
    expect(response.ids()).toEqual(['8', '9', '10']);
  });

  it('keeps nothing for a reader that stops: the socket holds one buffer, the log the rest', async () => {
    const log = new FakeLog();
    const { response } = track(open(log, { lastEventId: 0 }));
    response.pause();
    log.appendMany(1, 5000);
    await settle();
    const oneEvent = Buffer.byteLength(response.received.at(-1)!);
    expect(response.bufferedBytes()).toBeLessThanOrEqual(256 + oneEvent);
    expect(response.ids().length).toBeLessThan(10);

    response.read(); // the reader comes back: everything, in order, from the log
    await settle();
    expect(response.ids()).toEqual(Array.from({ length: 5000 }, (_, k) => String(k + 1)));
    log.append(event(5001));
    expect(response.ids().at(-1)).toBe('5001');
  });

  it('tells a reader that fell behind what the log still holds to resync, then goes on', async () => {
    const log = new FakeLog(100);
    const { response } = track(open(log));
    response.pause();
    log.appendMany(1, 1000);
    response.read();
    await settle();
    const text = response.text();
    expect(text).toContain('event: resync');
    const ids = response.ids().map(Number);
    expect(ids.slice(-100)).toEqual(Array.from({ length: 100 }, (_, k) => 901 + k));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('closes a stream whose socket stays unwritable past the stall timeout', async () => {
    jest.useFakeTimers();
    try {
      const log = new FakeLog();
      const { response, onFinish } = open(log, { stallTimeoutMs: 5000 });
      response.pause();
      log.appendMany(1, 50);
      jest.advanceTimersByTime(4999);
      expect(response.destroyed).toBe(false);
      jest.advanceTimersByTime(1);
      expect(response.destroyed).toBe(true);
      expect(onFinish).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not close a slow reader that keeps draining within the timeout', async () => {
    jest.useFakeTimers();
    try {
      const log = new FakeLog();
      const { response, writer } = open(log, { stallTimeoutMs: 5000 });
      for (let round = 0; round < 5; round++) {
        response.pause();
        log.appendMany(round * 50 + 1, 50);
        jest.advanceTimersByTime(4000);
        response.read();
        await jest.advanceTimersByTimeAsync(0);
      }
      expect(response.destroyed).toBe(false);
      expect(response.ids()).toHaveLength(250);
      writer.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends a heartbeat comment while idle', () => {
    jest.useFakeTimers();
    try {
      const { response, writer } = open(new FakeLog(), { heartbeatMs: 1000 });
      jest.advanceTimersByTime(2500);
      writer.close();
      expect(response.received.filter((c) => c === ': keep-alive\n\n')).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends on close(), once, and stops reading the log', () => {
    const log = new FakeLog();
    const { response, writer, onFinish } = open(log);
    writer.close();
    writer.close();
    log.append(event(1));
    expect(response.writableEnded).toBe(true);
    expect(response.ids()).toEqual([]);
    expect(onFinish).toHaveBeenCalledTimes(1);
  });

  it('finishes when the client goes away', async () => {
    const { response, onFinish } = open(new FakeLog());
    response.destroy();
    await settle();
    expect(onFinish).toHaveBeenCalledTimes(1);
  });
});
