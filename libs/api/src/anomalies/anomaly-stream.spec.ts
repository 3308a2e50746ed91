import { type Anomaly, anomalyStreamQuerySchema } from '@iag/contracts';
import { formatEvent, matchesQuery, parseLastEventId } from './anomaly-stream';

describe(formatEvent.name, () => {
  it('names the event by its type, ids it by its sequence and carries the anomaly as one JSON line', () => {
    const anomaly = { id: 'x', deviceId: 'pump-1', detail: 'a\nb' } as unknown as Anomaly;
    expect(formatEvent({ seq: 42, type: 'updated', anomaly })).toBe(
      'event: updated\nid: 42\ndata: {"id":"x","deviceId":"pump-1","detail":"a\\nb"}\n\n',
    );
  });
});

describe(matchesQuery.name, () => {
  it('passes what every given filter allows', () => {
    const event = {
      seq: 1,
      type: 'opened' as const,
      anomaly: { deviceId: 'a', severity: 'critical' } as Anomaly,
    };
    expect(matchesQuery({}, event)).toBe(true);
    expect(matchesQuery({ deviceId: 'a', severity: 'critical' }, event)).toBe(true);
    expect(matchesQuery({ deviceId: 'b' }, event)).toBe(false);
    expect(matchesQuery({ severity: 'warning' }, event)).toBe(false);
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
