import { AnomalyEvent } from '@iag/contracts';

export interface PendingAlert {
  /** The anomaly's 'opened' has not been relayed yet. */
  isNew: boolean;
  /** Its newest event: what gets stored and published. */
  event: AnomalyEvent;
}

/**
 * Anomaly events waiting to be stored and published, at most one per anomaly: a newer event of
 * an anomaly replaces its pending one (its peak only grows, a close is final). A device whose
 * score keeps climbing under a flood thus cannot grow the backlog past one entry per anomaly.
 * Anomalies leave in the order their first pending event came (Map insertion order).
 */
export class AlertBacklog {
  private readonly pending = new Map<string, PendingAlert>();

  get size(): number {
    return this.pending.size;
  }

  push(event: AnomalyEvent): void {
    const prior = this.pending.get(event.anomaly.id);
    if (prior) prior.event = event;
    else this.pending.set(event.anomaly.id, { isNew: event.type === 'opened', event });
  }

  shift(): PendingAlert | undefined {
    const next = this.pending.entries().next();
    if (next.done) return undefined;
    this.pending.delete(next.value[0]);
    return next.value[1];
  }
}

/** What to publish for a pending alert: an 'opened' first when it was never published. */
export function eventsToPublish({ isNew, event }: PendingAlert): AnomalyEvent[] {
  if (!isNew || event.type === 'opened') return [event];
  const opened: AnomalyEvent = { type: 'opened', anomaly: { ...event.anomaly, endedAt: null } };
  return event.type === 'closed' ? [opened, event] : [{ ...opened, anomaly: event.anomaly }];
}
