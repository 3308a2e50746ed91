import { Anomaly, anomalyId } from '@iag/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryStore } from '../registry/registry-store';
import { AnomalyIndex } from './anomaly-index';
import { anomalyFixture as anomaly } from './testing/anomaly-fixture';

const T0 = Date.UTC(2026, 10, 23);

const ids = (anomalies: Anomaly[]) => anomalies.map((a) => a.id);

describe(AnomalyIndex.name, () => {
  let dir: string;
  let store: RegistryStore;
  let index: AnomalyIndex;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iag-anomaly-index-'));
    store = new RegistryStore();
    store.open(dir);
    index = new AnomalyIndex(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready once marked, until distrusted; a reopen remembers the database, not the trust', async () => {
    expect(index.ready).toBe(false);
    expect(index.filledFrom('iot')).toBe(false);
    await index.markReady('iot');
    expect(index.ready).toBe(true);
    index.distrust();
    expect(index.ready).toBe(false);
    await store.close();
    store.open(dir);
    const reopened = new AnomalyIndex(store);
    expect(reopened.ready).toBe(false);
    expect(reopened.filledFrom('iot')).toBe(true);
    expect(reopened.filledFrom('other')).toBe(false);
  });

  it('lists newest first, whole at the oldest ms, by device when asked, with every filter', async () => {
    const a = anomaly('a', T0, { peakScore: 3, severity: 'critical' });
    const b1 = anomaly('b', T0 + 10);
    const c1 = anomaly('c', T0 + 10, { status: 'acknowledged' });
    const b2 = anomaly('b', T0 + 20, { peakScore: 0.5 });
    for (const x of [a, b1, c1, b2]) await index.put(x);

    expect(ids(index.newest({}, 10))).toEqual(ids([b2, c1, b1, a]));
    expect(ids(index.newest({}, 2))).toEqual(ids([b2, c1, b1])); // T0 + 10 read whole
    expect(ids(index.newest({ deviceId: 'b' }, 10))).toEqual(ids([b2, b1]));
    expect(ids(index.newest({ deviceId: 'b', from: T0 + 11 }, 10))).toEqual(ids([b2]));
    expect(ids(index.newest({ from: T0 + 10, to: T0 + 10 }, 10))).toEqual(ids([c1, b1]));
    expect(ids(index.newest({ status: 'acknowledged' }, 10))).toEqual(ids([c1]));
    expect(ids(index.newest({ severity: 'critical' }, 10))).toEqual(ids([a]));
    expect(ids(index.newest({ minScore: 1 }, 10))).toEqual(ids([c1, b1, a]));
    expect(ids(index.at({}, T0 + 10))).toEqual(ids([c1, b1]));
    expect(ids(index.newest({ deviceId: 'nobody' }, 10))).toEqual([]);
    expect(index.get('c', T0 + 10)).toEqual(c1);
    expect(index.get('c', T0)).toBeUndefined();
  });

  it("gives each device's newest anomaly", async () => {
    for (const x of [anomaly('a', T0), anomaly('a', T0 + 5), anomaly('b', T0 + 1)]) {
      await index.put(x);
    }
    expect(ids(index.newestPerDevice()).sort()).toEqual(
      [anomalyId('a', T0 + 5), anomalyId('b', T0 + 1)].sort(),
    );
  });

  it('removes what started before a time, from both orders', async () => {
    for (const x of [anomaly('a', T0), anomaly('a', T0 + 5), anomaly('b', T0 + 1)]) {
      await index.put(x);
    }
    expect(await index.removeBefore(T0 + 2)).toBe(2);
    expect(ids(index.newest({}, 10))).toEqual([anomalyId('a', T0 + 5)]);
    expect(ids(index.newest({ deviceId: 'b' }, 10))).toEqual([]);
    expect(ids(index.newestPerDevice())).toEqual([anomalyId('a', T0 + 5)]);
  });

  it('removes everything for Infinity, but not what was written live during a rebuild', async () => {
    await index.put(anomaly('a', T0));
    index.beginRebuild();
    await index.put(anomaly('b', T0));
    expect(await index.removeBefore(Infinity)).toBe(1);
    index.endRebuild();
    expect(ids(index.newest({}, 10))).toEqual([anomalyId('b', T0)]);
    expect(await index.removeBefore(Infinity)).toBe(1);
    expect(ids(index.newest({}, 10))).toEqual([]);
  });

  it('lets a rebuild fill only what was not written live since it began', async () => {
    index.beginRebuild();
    const live = anomaly('a', T0, { status: 'acknowledged' });
    await index.put(live);
    await index.fill([anomaly('a', T0), anomaly('b', T0)]); // read from InfluxDB before the live write
    index.endRebuild();
    expect(index.get('a', T0)).toEqual(live);
    expect(index.get('b', T0)).toEqual(anomaly('b', T0));
    await index.fill([anomaly('a', T0)]); // no rebuild running: a fill overwrites
    expect(index.get('a', T0)?.status).toBe('open');
  });
});
