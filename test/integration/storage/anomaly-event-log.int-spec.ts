import { Anomaly, AnomalyEvent } from '@iag/contracts';
import { AnomalyEventLog, LoggedAnomalyEvent } from '@iag/storage';
import { testConfig } from '../../support/test-config';
import { StorageHarness, startStorage } from './storage-harness';

function event(n: number): AnomalyEvent {
  return { type: 'opened', anomaly: { id: `a${n}`, deviceId: 'pump-1' } as Anomaly };
}

describe(AnomalyEventLog.name, () => {
  const config = testConfig({ ANOMALY_EVENT_LOG_SIZE: '100' });
  let storage: StorageHarness | undefined;

  afterEach(async () => {
    await storage?.close();
    storage = undefined;
  });

  it('numbers events in order, tells live readers, and replays what follows an id', async () => {
    storage = await startStorage({}, testConfig());
    const log = storage.get(AnomalyEventLog);
    const live: LoggedAnomalyEvent[] = [];
    const sub = log.appended.subscribe((e) => live.push(e));
    for (let n = 1; n <= 3; n++) await log.append(event(n));
    sub.unsubscribe();
    expect(live.map((e) => [e.seq, e.anomaly.id])).toEqual([
      [1, 'a1'],
      [2, 'a2'],
      [3, 'a3'],
    ]);
    expect(log.since(1)).toEqual({ events: live.slice(1), gap: false });
    expect(log.since(3)).toEqual({ events: [], gap: false });
  });

  it('keeps the newest events and their numbering across a restart, and reports a gap beyond them', async () => {
    storage = await startStorage({}, config);
    for (let n = 1; n <= 130; n++) await storage.get(AnomalyEventLog).append(event(n));
    await storage.close();

    storage = await startStorage({}, config); // same DATA_DIR: a restarted gateway
    const log = storage.get(AnomalyEventLog);
    expect(log.latestSeq()).toBe(130);
    const resumed = log.since(120);
    expect(resumed.gap).toBe(false);
    expect(resumed.events.map((e) => e.seq)).toEqual([...Array(10).keys()].map((i) => 121 + i));
    expect(resumed.events[0].anomaly.id).toBe('a121');
    expect((await log.append(event(131))).seq).toBe(131);

    const tooOld = log.since(5);
    expect(tooOld.gap).toBe(true);
    expect(tooOld.events).toHaveLength(100);
    expect(tooOld.events[0].seq).toBe(32);
  });
});
