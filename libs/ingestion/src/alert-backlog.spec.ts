import { AnomalyEvent, AnomalyEventType } from '@iag/contracts';
import { AlertBacklog, eventsToPublish } from './alert-backlog';

const event = (id: string, type: AnomalyEventType, peakScore: number): AnomalyEvent =>
  ({
    type,
    anomaly: { id, deviceId: id, peakScore, endedAt: type === 'closed' ? 'end' : null },
  }) as AnomalyEvent;

describe(AlertBacklog.name, () => {
  it('keeps one pending entry per anomaly, the newest event, in first-come order', () => {
    const backlog = new AlertBacklog();
    backlog.push(event('a', 'opened', 1.5));
    backlog.push(event('b', 'updated', 2));
    for (let peak = 2; peak < 1000; peak++) backlog.push(event('a', 'updated', peak));
    expect(backlog.size).toBe(2);
    expect(backlog.shift()).toEqual({ isNew: true, event: event('a', 'updated', 999) });
    expect(backlog.shift()).toEqual({ isNew: false, event: event('b', 'updated', 2) });
    expect(backlog.shift()).toBeUndefined();
  });
});

describe(eventsToPublish.name, () => {
  it("publishes an anomaly never published as 'opened' first, with its newest figures", () => {
    expect(eventsToPublish({ isNew: false, event: event('a', 'updated', 3) })).toEqual([
      event('a', 'updated', 3),
    ]);
    expect(eventsToPublish({ isNew: true, event: event('a', 'updated', 3) })).toEqual([
      event('a', 'opened', 3),
    ]);
    expect(
      eventsToPublish({ isNew: true, event: event('a', 'closed', 3) }).map((e) => e.type),
    ).toEqual(['opened', 'closed']);
  });
});
