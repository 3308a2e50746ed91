import { Anomaly, anomalyId, severityFor } from '@iag/contracts';
import { AnomalyRepository, InfluxConnection, StorageExceptionCode } from '@iag/storage';
import { rowToAnomaly } from '../../../libs/storage/src/anomalies/anomaly-point';
import { AnomalyIndex } from '../../../libs/storage/src/anomalies/anomaly-index';
import { anomalyFixture } from '../../../libs/storage/src/anomalies/testing/anomaly-fixture';
import { influxQuery } from '../../support/influx';
import { StorageHarness, startStorage } from './storage-harness';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function anomaly(deviceId: string, startedAtMs: number, overrides: Partial<Anomaly> = {}): Anomaly {
  const peakScore = overrides.peakScore ?? 1.5;
  return anomalyFixture(deviceId, startedAtMs, {
    peakScore,
    threshold: 0.042,
    severity: severityFor(peakScore),
    metrics: [
      { name: 'temp', contribution: 0.75 },
      { name: 'hum', contribution: 0.25 },
    ],
    ...overrides,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

describe(AnomalyRepository.name, () => {
  let storage: StorageHarness;
  let repository: AnomalyRepository;

  beforeAll(async () => {
    storage = await startStorage();
    repository = storage.get(AnomalyRepository);
  });
  afterAll(() => storage.close());

  describe('openEpisodes', () => {
    it("returns each device's newest episode when it has not ended, whatever its status", async () => {
      const own = await startStorage();
      const repo = own.get(AnomalyRepository);
      try {
        await repo.recordEpisode(anomaly('open-a', T0), true);
        await repo.recordEpisode(anomaly('open-a', T0 + 60_000), true);
        await repo.recordEpisode(anomaly('closed-b', T0), true);
        await repo.recordEpisode(anomaly('closed-b', T0, { endedAt: iso(T0 + 5000) }), false);
        await repo.recordEpisode(anomaly('acked-c', T0 + 1000), true);
        await repo.setStatus(anomalyId('acked-c', T0 + 1000), 'acknowledged', 'ops', new Date());

        const open = await repo.openEpisodes();
        expect(open.map((a) => a.id).sort()).toEqual(
          [anomalyId('open-a', T0 + 60_000), anomalyId('acked-c', T0 + 1000)].sort(),
        );
        expect(open.find((a) => a.deviceId === 'open-a')).toEqual(anomaly('open-a', T0 + 60_000));
      } finally {
        await own.close();
      }
    });
  });

  describe('episodes and status', () => {
    it('stores a new episode as open and reads it back by id', async () => {
      const opened = anomaly('dev-1', T0, { modelVersion: 'v3', detector: 'autoencoder' });
      await repository.recordEpisode(opened, true);
      expect(await repository.get(opened.id)).toEqual(opened);
    });

    it('keeps an acknowledgement when the episode is updated afterwards', async () => {
      const opened = anomaly('dev-2', T0);
      await repository.recordEpisode(opened, true);
      const at = new Date(T0 + 30_000);
      const acknowledged = await repository.setStatus(opened.id, 'acknowledged', 'alice', at);
      expect(acknowledged).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: 'alice',
        acknowledgedAt: iso(T0 + 30_000),
      });

      const updated = anomaly('dev-2', T0, {
        peakScore: 3.2,
        severity: 'critical',
        endedAt: iso(T0 + 60_000),
      });
      await repository.recordEpisode(updated, false);

      expect(await repository.get(opened.id)).toEqual({
        ...updated,
        status: 'acknowledged',
        acknowledgedBy: 'alice',
        acknowledgedAt: iso(T0 + 30_000),
      });
      const rows = await influxQuery(
        storage.config.influx.database,
        `SELECT * FROM anomalies WHERE device_id = 'dev-2'`,
      );
      expect(rows).toHaveLength(1);
    });

    it('resolves keeping the acknowledgement, and refuses to acknowledge a resolved anomaly', async () => {
      const opened = anomaly('dev-3', T0);
      await repository.recordEpisode(opened, true);
      await repository.setStatus(opened.id, 'acknowledged', 'alice', new Date(T0 + 1000));
      const resolved = await repository.setStatus(
        opened.id,
        'resolved',
        'bob',
        new Date(T0 + 2000),
      );
      const expected = {
        status: 'resolved',
        acknowledgedBy: 'alice',
        acknowledgedAt: iso(T0 + 1000),
        resolvedBy: 'bob',
        resolvedAt: iso(T0 + 2000),
      };
      expect(resolved).toMatchObject(expected);
      expect(await repository.get(opened.id)).toMatchObject(expected);

      expect(
        await codeOf(repository.setStatus(opened.id, 'acknowledged', 'carol', new Date())),
      ).toBe(StorageExceptionCode.INVALID_TRANSITION);
      await repository.recordEpisode(anomaly('dev-3', T0, { peakScore: 9 }), false);
      expect(await repository.get(opened.id)).toMatchObject({ ...expected, peakScore: 9 });
    });

    it('resolves an open anomaly directly and keeps the first acknowledgement on a repeat', async () => {
      const opened = anomaly('dev-4', T0);
      await repository.recordEpisode(opened, true);
      await repository.setStatus(opened.id, 'acknowledged', 'alice', new Date(T0 + 1000));
      const again = await repository.setStatus(
        opened.id,
        'acknowledged',
        'bob',
        new Date(T0 + 5000),
      );
      expect(again).toMatchObject({ acknowledgedBy: 'alice', acknowledgedAt: iso(T0 + 1000) });

      const other = anomaly('dev-4', T0 + 1);
      await repository.recordEpisode(other, true);
      expect(
        await repository.setStatus(other.id, 'resolved', 'bob', new Date(T0 + 3000)),
      ).toMatchObject({
        status: 'resolved',
        acknowledgedBy: null,
        resolvedBy: 'bob',
      });
    });

    it('asks InfluxDB nothing to record an episode once the index is ready', async () => {
      const queries = jest.spyOn(storage.get(InfluxConnection), 'query'); // observes, calls through
      try {
        const opened = anomaly('dev-5', T0);
        await repository.recordEpisode(opened, true);
        await repository.recordEpisode({ ...opened, peakScore: 2 }, false);
        expect(queries).not.toHaveBeenCalled();
        expect((await repository.get(opened.id))?.peakScore).toBe(2);
      } finally {
        queries.mockRestore();
      }
    });

    it('keeps the index a copy of InfluxDB: every point written above, field for field', async () => {
      const index = storage.get(AnomalyIndex);
      expect(index.ready).toBe(true);
      const rows = await influxQuery(storage.config.influx.database, 'SELECT * FROM anomalies');
      expect(rows.length).toBeGreaterThanOrEqual(5);
      for (const row of rows) {
        const stored = rowToAnomaly(row);
        expect(index.get(stored.deviceId, Date.parse(stored.startedAt))).toEqual(stored);
      }
    });

    it('answers NOT_FOUND for unknown anomalies and null for ids that are not ids', async () => {
      expect(
        await codeOf(repository.setStatus(anomalyId('ghost', T0), 'resolved', 'x', new Date())),
      ).toBe(StorageExceptionCode.NOT_FOUND);
      expect(await repository.get(anomalyId('ghost', T0))).toBeNull();
      expect(await repository.get('not an id!')).toBeNull();
      expect(await repository.get('')).toBeNull();
    });
  });
});

/** The index answers once this start has read InfluxDB into it; before that, or after a failed index write, InfluxDB. */
describe.each([
  { source: 'the anomaly index', fromIndex: true },
  { source: 'InfluxDB, while the index is not ready', fromIndex: false },
])(`${AnomalyRepository.name} find, served by $source`, ({ fromIndex }) => {
  let storage: StorageHarness;
  let repository: AnomalyRepository;
  /** Every stored anomaly, in the documented page order. */
  let all: Anomaly[];

  beforeAll(async () => {
    storage = await startStorage();
    repository = storage.get(AnomalyRepository);
    const devices = ['d-a', 'd-b', 'd-c', 'd-d', 'd-e', 'd-f', 'd-g'];
    const stored: Anomaly[] = [];
    // 7 devices share T0 + 10 s; 16 more spread over time, scores 0.5..8
    for (const deviceId of devices) stored.push(anomaly(deviceId, T0 + 10_000, { peakScore: 1.2 }));
    for (let i = 0; i < 16; i++) {
      const peakScore = 0.5 + i / 2;
      stored.push(
        anomaly(devices[i % 3], T0 + i * 1000 + (i >= 10 ? 5000 : 0), {
          peakScore,
          severity: severityFor(peakScore),
        }),
      );
    }
    for (const a of stored) await repository.recordEpisode(a, true);
    await repository.setStatus(stored[0].id, 'acknowledged', 'op', new Date(T0));
    await repository.setStatus(stored[8].id, 'resolved', 'op', new Date(T0));
    all = await Promise.all(stored.map(async (a) => (await repository.get(a.id))!));
    if (!fromIndex) storage.get(AnomalyIndex).distrust(); // as after a failed index write
    all.sort(
      (a, b) =>
        Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.deviceId < b.deviceId ? -1 : 1),
    );
  });
  afterAll(() => storage.close());

  async function walk(
    query: Omit<Parameters<AnomalyRepository['find']>[0], 'cursor'>,
  ): Promise<Anomaly[][]> {
    const pages: Anomaly[][] = [];
    let cursor: string | undefined;
    do {
      const page = await repository.find({ ...query, cursor });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
      expect(pages.length).toBeLessThan(50);
    } while (cursor);
    return pages;
  }

  it('returns the newest first, then by device id', async () => {
    const page = await repository.find({ limit: 100 });
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((a) => a.id)).toEqual(all.map((a) => a.id));
    expect(page.items).toHaveLength(23);
  });

  it.each([1, 3, 5, 7, 8, 22, 23])(
    'pages through everything with limit %i, ties on one ms included',
    async (limit) => {
      const pages = await walk({ limit });
      expect(pages.flat().map((a) => a.id)).toEqual(all.map((a) => a.id));
      expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
    },
  );

  it(
    fromIndex
      ? 'asks InfluxDB nothing'
      : 'reads a page in one query unless a tie straddles its end',
    async () => {
      const queries = jest.spyOn(storage.get(InfluxConnection), 'query'); // observes, calls through
      try {
        // Newest 3 (the page and one more) are at 3 different ms: the lone oldest is the extra row.
        const first = await repository.find({ limit: 2 });
        expect(first.items.map((a) => a.id)).toEqual(all.slice(0, 2).map((a) => a.id));
        expect(queries).toHaveBeenCalledTimes(fromIndex ? 0 : 1);
        // 6 single anomalies, then 7 devices at one ms: LIMIT 8 cuts that ms, which is read whole.
        queries.mockClear();
        const cut = await repository.find({ limit: 7 });
        expect(cut.items.map((a) => a.id)).toEqual(all.slice(0, 7).map((a) => a.id));
        expect(queries).toHaveBeenCalledTimes(fromIndex ? 0 : 2);
      } finally {
        queries.mockRestore();
      }
    },
  );

  it('filters by device, time range, status, severity and minimum score', async () => {
    const ids = async (q: Parameters<AnomalyRepository['find']>[0]) =>
      (await repository.find(q)).items.map((a) => a.id);
    const expected = (keep: (a: Anomaly) => boolean) => all.filter(keep).map((a) => a.id);

    expect(await ids({ limit: 100, deviceId: 'd-b' })).toEqual(
      expected((a) => a.deviceId === 'd-b'),
    );
    const from = T0 + 3000;
    const to = T0 + 10_000;
    expect(await ids({ limit: 100, from, to })).toEqual(
      expected((a) => Date.parse(a.startedAt) >= from && Date.parse(a.startedAt) <= to),
    );
    expect(await ids({ limit: 100, status: 'acknowledged' })).toEqual(
      expected((a) => a.status === 'acknowledged'),
    );
    expect(await ids({ limit: 100, status: 'resolved' })).toHaveLength(1);
    expect(await ids({ limit: 100, severity: 'critical' })).toEqual(
      expected((a) => a.severity === 'critical'),
    );
    expect(await ids({ limit: 100, minScore: 4 })).toEqual(expected((a) => a.peakScore >= 4));
    expect(await ids({ limit: 100, deviceId: 'd-a', minScore: 2, status: 'open' })).toEqual(
      expected((a) => a.deviceId === 'd-a' && a.peakScore >= 2 && a.status === 'open'),
    );
    expect(await ids({ limit: 100, deviceId: 'nobody' })).toEqual([]);
  });

  it('pages through a filtered result', async () => {
    const pages = await walk({ limit: 2, minScore: 1, to: T0 + 12_000 });
    expect(pages.flat().map((a) => a.id)).toEqual(
      all
        .filter((a) => a.peakScore >= 1 && Date.parse(a.startedAt) <= T0 + 12_000)
        .map((a) => a.id),
    );
  });

  it('refuses a cursor it did not issue', async () => {
    expect(await codeOf(repository.find({ limit: 5, cursor: 'bm90LWEtY3Vyc29y' }))).toBe(
      StorageExceptionCode.INVALID_CURSOR,
    );
  });
});
