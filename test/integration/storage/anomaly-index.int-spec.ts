import { Anomaly, anomalyId } from '@iag/contracts';
import { AnomalyRepository, InfluxConnection } from '@iag/storage';
import { AnomalyIndex } from '../../../libs/storage/src/anomalies/anomaly-index';
import { anomalyFixture } from '../../../libs/storage/src/anomalies/testing/anomaly-fixture';
import { influxQuery, influxWrite } from '../../support/influx';
import { pollUntil } from '../../support/poll-until';
import { testDir, uniqueDatabase } from '../../support/test-config';
import { StorageHarness, startStorage } from './storage-harness';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

/** Line protocol for an anomaly point as the repository writes it (a new, open episode). */
const point = (deviceId: string, ms: number, extra = '') =>
  `anomalies,device_id=${deviceId} peak_score=1.5,threshold=0.04,severity="warning",` +
  `metrics="[]",detector="zscore",status="open"${extra} ${ms}`;

async function writeLines(database: string, lines: string[]): Promise<void> {
  await influxWrite(database, lines.join('\n'));
}

async function allIds(repository: AnomalyRepository): Promise<string[]> {
  const page = await repository.find({ limit: 100_000 });
  return page.items.map((a) => a.id).sort();
}

describe('the anomaly index', () => {
  const harnesses: StorageHarness[] = [];
  const start = async (env: Record<string, string>) => {
    const harness = await startStorage(env);
    harnesses.push(harness);
    return harness;
  };
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.close();
  });

  it('is filled at start from what InfluxDB holds, page by page, ties across a page end included', async () => {
    const database = uniqueDatabase();
    const first = await start({ INFLUX_DATABASE: database }); // creates the database
    // 4998 anomalies at distinct ms, 7 devices at one ms across the 5000-row page end, 10 after
    const lines: string[] = [];
    const expected: string[] = [];
    const add = (deviceId: string, ms: number) => {
      lines.push(point(deviceId, ms));
      expected.push(anomalyId(deviceId, ms));
    };
    for (let i = 0; i < 4998; i++) add(`dev-${i % 50}`, T0 + i);
    for (let d = 0; d < 7; d++) add(`tie-${d}`, T0 + 5000);
    for (let i = 0; i < 10; i++) add(`late-${i}`, T0 + 6000 + i);
    await writeLines(database, lines);
    await first.close();
    harnesses.length = 0;

    const upgraded = await start({ INFLUX_DATABASE: database }); // a new DATA_DIR: an empty index
    const repository = upgraded.get(AnomalyRepository);
    const queries = jest.spyOn(upgraded.get(InfluxConnection), 'query'); // observes, calls through
    try {
      expect(await allIds(repository)).toEqual(expected.sort());
      expect(queries).not.toHaveBeenCalled(); // filled during start, so served by the index
    } finally {
      queries.mockRestore();
    }
  });

  it('heals at the next start what reached InfluxDB but not the index (a crash between the two)', async () => {
    const env = { INFLUX_DATABASE: uniqueDatabase(), DATA_DIR: testDir() };
    const before = await start(env);
    const repository = before.get(AnomalyRepository);
    const opened = await openAnomaly(repository, 'crashy', T0);
    await writeLines(env.INFLUX_DATABASE, [
      `anomalies,device_id=crashy status="acknowledged",acknowledged_by="ops",acknowledged_at=${T0 + 9}i ${T0}`,
    ]);
    expect((await repository.get(opened.id))?.status).toBe('open'); // the index has not seen it
    await before.close();
    harnesses.length = 0;

    const restarted = await start(env);
    const after = restarted.get(AnomalyRepository);
    // Until the heal is done, reads go to InfluxDB: an operator never sees the stale copy.
    expect(await after.get(opened.id)).toMatchObject({ status: 'acknowledged' });
    // An episode update while the heal may still run merges onto InfluxDB's state, not the stale copy.
    await after.recordEpisode({ ...opened, peakScore: 4 }, false);
    const index = restarted.get(AnomalyIndex);
    await pollUntil(() => index.ready);
    expect(index.get('crashy', T0)).toMatchObject({
      peakScore: 4,
      status: 'acknowledged',
      acknowledgedBy: 'ops',
      acknowledgedAt: new Date(T0 + 9).toISOString(),
    });
  });

  it('drops at the next start what InfluxDB no longer holds (its retention policy removed it)', async () => {
    const env = { INFLUX_DATABASE: uniqueDatabase(), DATA_DIR: testDir() };
    const before = await start(env);
    const old = await openAnomaly(before.get(AnomalyRepository), 'old', T0);
    const kept = await openAnomaly(before.get(AnomalyRepository), 'kept', T0 + 600_000);
    await influxQuery(env.INFLUX_DATABASE, `DELETE FROM anomalies WHERE time < ${T0 + 300_000}ms`);
    expect(await allIds(before.get(AnomalyRepository))).toEqual([kept.id, old.id].sort());
    await before.close();
    harnesses.length = 0;

    const restarted = await start(env);
    await pollUntil(() => restarted.get(AnomalyIndex).ready);
    const after = restarted.get(AnomalyRepository);
    expect(await allIds(after)).toEqual([kept.id]);
    expect(await after.get(old.id)).toBeNull();
  });

  it('drops everything at the next start when InfluxDB holds no anomaly any more', async () => {
    const env = { INFLUX_DATABASE: uniqueDatabase(), DATA_DIR: testDir() };
    const before = await start(env);
    await openAnomaly(before.get(AnomalyRepository), 'gone', T0);
    await influxQuery(env.INFLUX_DATABASE, 'DELETE FROM anomalies');
    await before.close();
    harnesses.length = 0;

    const restarted = await start(env);
    const index = restarted.get(AnomalyIndex);
    await pollUntil(() => index.ready);
    expect(index.newest({}, 10)).toEqual([]);
  });

  it('starts empty when DATA_DIR is reused with another database', async () => {
    const dataDir = testDir();
    const first = await start({ INFLUX_DATABASE: uniqueDatabase(), DATA_DIR: dataDir });
    await openAnomaly(first.get(AnomalyRepository), 'elsewhere', T0);
    await first.close();
    harnesses.length = 0;

    const other = await start({ INFLUX_DATABASE: uniqueDatabase(), DATA_DIR: dataDir });
    expect(other.get(AnomalyIndex).ready).toBe(true); // a first fill for this database is awaited
    expect(await allIds(other.get(AnomalyRepository))).toEqual([]);
  });
});

async function openAnomaly(
  repository: AnomalyRepository,
  deviceId: string,
  ms: number,
): Promise<Anomaly> {
  const anomaly = anomalyFixture(deviceId, ms);
  await repository.recordEpisode(anomaly, true);
  return anomaly;
}
