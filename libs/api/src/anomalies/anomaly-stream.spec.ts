import type { MessageEvent } from '@nestjs/common';
import type { Anomaly, AnomalyEvent } from '@iag/contracts';
import { NEVER, Subject } from 'rxjs';
import { anomalyStream, anomalyStreamQuerySchema, toMessageEvent } from './anomaly-stream';

function event(
  deviceId: string,
  severity: Anomaly['severity'],
  type: AnomalyEvent['type'] = 'opened',
): AnomalyEvent {
  const anomaly = { id: `${deviceId}-a`, deviceId, severity } as Anomaly;
  return { type, anomaly };
}

describe(anomalyStream.name, () => {
  it('starts with a comment, then passes only matching events', () => {
    const source = new Subject<AnomalyEvent>();
    const seen: MessageEvent[] = [];
    const subscription = anomalyStream(
      source,
      { deviceId: 'a', severity: 'critical' },
      60_000,
      NEVER,
    ).subscribe((m) => seen.push(m));
    source.next(event('a', 'critical'));
    source.next(event('b', 'critical'));
    source.next(event('a', 'warning'));
    source.next(event('a', 'critical', 'closed'));
    subscription.unsubscribe();
    expect(seen[0].comment).toBeDefined();
    expect(seen.slice(1).map((m) => m.type)).toEqual(['opened', 'closed']);
  });

  it('sends a heartbeat comment while idle', () => {
    jest.useFakeTimers();
    const seen: MessageEvent[] = [];
    const subscription = anomalyStream(new Subject<AnomalyEvent>(), {}, 1000, NEVER).subscribe(
      (m) => seen.push(m),
    );
    jest.advanceTimersByTime(2500);
    subscription.unsubscribe();
    jest.useRealTimers();
    expect(seen.filter((m) => m.comment === 'keep-alive')).toHaveLength(2);
  });

  it('completes when told to stop, so shutdown is not held up', () => {
    const stop = new Subject<void>();
    let completed = false;
    anomalyStream(new Subject<AnomalyEvent>(), {}, 60_000, stop).subscribe({
      complete: () => (completed = true),
    });
    expect(completed).toBe(false);
    stop.next();
    expect(completed).toBe(true);
  });
});

describe(toMessageEvent.name, () => {
  it('names the event by its type and carries the anomaly as data', () => {
    const message = toMessageEvent(event('pump-1', 'warning', 'updated'), 1234);
    expect(message).toEqual({
      type: 'updated',
      id: 'pump-1-a:updated:1234',
      data: expect.objectContaining({ deviceId: 'pump-1' }),
    });
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
