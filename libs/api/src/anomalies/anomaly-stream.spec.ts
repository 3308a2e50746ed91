import type { MessageEvent } from '@nestjs/common';
import type { Anomaly, AnomalyEvent } from '@iag/contracts';
import type { AnomalyEventReplay, LoggedAnomalyEvent } from '@iag/storage';
import { NEVER, Subject } from 'rxjs';
import {
  AnomalyEventSource,
  anomalyStream,
  anomalyStreamQuerySchema,
  parseLastEventId,
  toMessageEvent,
} from './anomaly-stream';

function event(
  seq: number,
  deviceId: string,
  severity: Anomaly['severity'],
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

  constructor(private readonly capacity = 100) {}

  append(e: LoggedAnomalyEvent): void {
    this.kept.push(e);
    if (this.kept.length > this.capacity) this.kept.shift();
    this.subject.next(e);
  }

  since(seq: number): AnomalyEventReplay {
    const oldest = this.kept[0]?.seq ?? seq + 1;
    return { events: this.kept.filter((e) => e.seq > seq), gap: seq < oldest - 1 };
  }

  latestSeq(): number {
    return this.kept.at(-1)?.seq ?? 0;
  }
}

const ids = (seen: MessageEvent[]) => seen.filter((m) => m.id !== undefined).map((m) => m.id);

describe(anomalyStream.name, () => {
  const open: Array<{ unsubscribe(): void }> = [];
  afterEach(() => open.splice(0).forEach((s) => s.unsubscribe()));

  it('starts with a comment, then passes only matching events', () => {
    const log = new FakeLog();
    const seen: MessageEvent[] = [];
    const subscription = anomalyStream(
      log,
      { deviceId: 'a', severity: 'critical' },
      undefined,
      60_000,
      NEVER,
    ).subscribe((m) => seen.push(m));
    log.append(event(1, 'a', 'critical'));
    log.append(event(2, 'b', 'critical'));
    log.append(event(3, 'a', 'warning'));
    log.append(event(4, 'a', 'critical', 'closed'));
    subscription.unsubscribe();
    expect(seen[0].comment).toBeDefined();
    expect(seen.slice(1).map((m) => [m.type, m.id])).toEqual([
      ['opened', '1'],
      ['closed', '4'],
    ]);
  });

  it('without Last-Event-ID sends only what happens from now on', () => {
    const log = new FakeLog();
    log.append(event(1, 'a', 'warning'));
    const seen: MessageEvent[] = [];
    open.push(anomalyStream(log, {}, undefined, 60_000, NEVER).subscribe((m) => seen.push(m)));
    log.append(event(2, 'a', 'warning', 'closed'));
    expect(ids(seen)).toEqual(['2']);
  });

  it('resumes after Last-Event-ID with the kept events, then live ones, none twice or missing', () => {
    const log = new FakeLog();
    for (let seq = 1; seq <= 5; seq++) log.append(event(seq, 'a', 'warning'));
    const seen: MessageEvent[] = [];
    open.push(anomalyStream(log, {}, 2, 60_000, NEVER).subscribe((m) => seen.push(m)));
    log.append(event(6, 'a', 'warning'));
    expect(ids(seen)).toEqual(['3', '4', '5', '6']);
    expect(seen.some((m) => m.type === 'resync')).toBe(false);
  });

  it('applies the filters to the replay too', () => {
    const log = new FakeLog();
    log.append(event(1, 'a', 'warning'));
    log.append(event(2, 'b', 'warning'));
    log.append(event(3, 'a', 'critical'));
    const seen: MessageEvent[] = [];
    open.push(
      anomalyStream(log, { deviceId: 'a' }, 0, 60_000, NEVER).subscribe((m) => seen.push(m)),
    );
    expect(ids(seen)).toEqual(['1', '3']);
  });

  it('says resync when events after the client id were trimmed, then sends what is kept', () => {
    const log = new FakeLog(3);
    for (let seq = 1; seq <= 10; seq++) log.append(event(seq, 'a', 'warning'));
    const seen: MessageEvent[] = [];
    open.push(anomalyStream(log, {}, 4, 60_000, NEVER).subscribe((m) => seen.push(m)));
    expect(seen[1]).toMatchObject({ type: 'resync', data: { latestId: '10' } });
    expect(ids(seen)).toEqual(['8', '9', '10']);
  });

  it('sends a heartbeat comment while idle', () => {
    jest.useFakeTimers();
    const seen: MessageEvent[] = [];
    const subscription = anomalyStream(new FakeLog(), {}, undefined, 1000, NEVER).subscribe((m) =>
      seen.push(m),
    );
    jest.advanceTimersByTime(2500);
    subscription.unsubscribe();
    jest.useRealTimers();
    expect(seen.filter((m) => m.comment === 'keep-alive')).toHaveLength(2);
  });

  it('completes when told to stop, so shutdown is not held up', () => {
    const stop = new Subject<void>();
    let completed = false;
    anomalyStream(new FakeLog(), {}, undefined, 60_000, stop).subscribe({
      complete: () => (completed = true),
    });
    expect(completed).toBe(false);
    stop.next();
    expect(completed).toBe(true);
  });
});

describe(toMessageEvent.name, () => {
  it('names the event by its type, ids it by its sequence and carries the anomaly as data', () => {
    expect(toMessageEvent(event(42, 'pump-1', 'warning', 'updated'))).toEqual({
      type: 'updated',
      id: '42',
      data: expect.objectContaining({ deviceId: 'pump-1' }),
    });
  });
});

describe(parseLastEventId.name, () => {
  it('reads a sequence number, ignores an empty header and refuses anything else', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('')).toBeUndefined();
    expect(parseLastEventId(' 17 ')).toBe(17);
    expect(() => parseLastEventId('abc:opened:1')).toThrow(/Last-Event-ID/);
  });
});

describe('anomalyStreamQuerySchema', () => {
  it('is strict and checks each filter', () => {
    expect(
      anomalyStreamQuerySchema.safeParse({ deviceId: 'ok-1', severity: 'critical' }).success,
    ).toBe(true);
    expect(anomalyStreamQuerySchema.safeParse({ severity: 'mild' }).success).toBe(false);
    expect(anomalyStreamQuerySchema.safeParse({ other: '1' }).success).toBe(false);
  });
});
