import { Anomaly } from '@iag/contracts';
import { episodeFields, mergeEpisode, rowToAnomaly, statusFields } from './anomaly-point';
import { filterConditions, selectAnomalies, selectAt, selectNewest } from './anomaly-query';
import { anomalyFixture } from './testing/anomaly-fixture';

const T0 = Date.UTC(2026, 10, 22, 12);

const base: Anomaly = anomalyFixture('dev-1', T0, {
  peakScore: 2.5,
  severity: 'critical',
  metrics: [{ name: 'temp', contribution: 1 }],
});

describe(episodeFields.name, () => {
  it('writes status only for a new episode and never any operator field', () => {
    expect(episodeFields(base, true)).toEqual({
      peak_score: 2.5,
      threshold: 0.04,
      severity: 'critical',
      metrics: '[{"name":"temp","contribution":1}]',
      detector: 'zscore',
      detectors: '[{"detector":"zscore","modelVersion":null,"peakScore":2.5,"threshold":0.04}]',
      status: 'open',
    });
    const update = episodeFields({ ...base, status: 'acknowledged', acknowledgedBy: 'x' }, false);
    expect(Object.keys(update)).not.toEqual(expect.arrayContaining(['status']));
    expect(
      Object.keys(update).some((k) => k.startsWith('acknowledged') || k.startsWith('resolved')),
    ).toBe(false);
  });

  it('adds ended_at (epoch ms) once closed and model_version when known', () => {
    const closed = episodeFields(
      { ...base, endedAt: new Date(T0 + 5000).toISOString(), modelVersion: 'v2' },
      false,
    );
    expect(closed).toMatchObject({ ended_at: T0 + 5000, model_version: 'v2' });
  });
});

describe(statusFields.name, () => {
  it('records who and when, per status', () => {
    const at = new Date(T0 + 1);
    expect(statusFields('acknowledged', 'alice', at)).toEqual({
      status: 'acknowledged',
      acknowledged_by: 'alice',
      acknowledged_at: T0 + 1,
    });
    expect(statusFields('resolved', 'bob', at)).toEqual({
      status: 'resolved',
      resolved_by: 'bob',
      resolved_at: T0 + 1,
    });
  });
});

describe(rowToAnomaly.name, () => {
  it('maps a stored row back to the contract shape', () => {
    const row = {
      time: T0,
      device_id: 'dev-1',
      ...episodeFields({ ...base, endedAt: new Date(T0 + 9).toISOString() }, true),
      ...statusFields('acknowledged', 'alice', new Date(T0 + 3)),
    };
    expect(rowToAnomaly(row)).toEqual({
      ...base,
      endedAt: new Date(T0 + 9).toISOString(),
      status: 'acknowledged',
      acknowledgedBy: 'alice',
      acknowledgedAt: new Date(T0 + 3).toISOString(),
    });
  });

  it('tolerates missing and malformed fields', () => {
    const anomaly = rowToAnomaly({ time: T0, device_id: 'dev-1', metrics: '{oops', status: null });
    expect(anomaly).toMatchObject({
      metrics: [],
      status: 'open',
      endedAt: null,
      modelVersion: null,
      peakScore: 0,
    });
  });
});

describe(filterConditions.name, () => {
  it('builds escaped tag, field and time conditions', () => {
    expect(
      filterConditions({
        deviceId: "a'b",
        status: 'open',
        severity: 'critical',
        minScore: 1e-7,
        from: 10,
        to: 20,
      }),
    ).toEqual([
      `"device_id"::tag = 'a\\'b'`,
      `"status" = 'open'`,
      `"severity" = 'critical'`,
      `"peak_score" >= 0.0000001`,
      'time >= 10ms',
      'time <= 20ms',
    ]);
    expect(filterConditions({})).toEqual([]);
  });

  it('assembles SELECTs', () => {
    expect(selectAnomalies([])).toBe('SELECT * FROM "anomalies"');
    expect(selectNewest({ deviceId: 'd' }, 6)).toBe(
      `SELECT * FROM "anomalies" WHERE "device_id"::tag = 'd' ORDER BY time DESC LIMIT 6`,
    );
    expect(selectAt({}, 5)).toBe('SELECT * FROM "anomalies" WHERE time >= 5ms AND time <= 5ms');
  });
});

describe(mergeEpisode.name, () => {
  const acknowledged: Anomaly = {
    ...base,
    endedAt: new Date(T0 + 5000).toISOString(),
    modelVersion: 'v2',
    status: 'acknowledged',
    acknowledgedBy: 'alice',
    acknowledgedAt: new Date(T0 + 1000).toISOString(),
  };

  it("takes the episode's fields from the update and the operator's from what is stored", () => {
    const update = {
      ...base,
      peakScore: 7,
      severity: 'critical' as const,
      detector: 'autoencoder',
    };
    expect(mergeEpisode(acknowledged, update, false)).toEqual({
      ...update,
      endedAt: acknowledged.endedAt, // unset in the update: not written, so kept
      modelVersion: 'v2',
      status: 'acknowledged',
      acknowledgedBy: 'alice',
      acknowledgedAt: acknowledged.acknowledgedAt,
    });
  });

  it('opens a new episode whatever is stored, and reads a never-stored update as open', () => {
    expect(mergeEpisode(acknowledged, base, true).status).toBe('open');
    expect(mergeEpisode(undefined, { ...acknowledged }, false)).toEqual({
      ...acknowledged,
      status: 'open',
      acknowledgedBy: null,
      acknowledgedAt: null,
    });
  });
});

describe(`${rowToAnomaly.name} of a point written before episodes listed their detectors`, () => {
  it('lists the one detector the point names', () => {
    const anomaly = rowToAnomaly({
      time: T0,
      device_id: 'dev-1',
      peak_score: 1.7,
      threshold: 6,
      detector: 'zscore',
      metrics: '[]',
    });
    expect(anomaly.detectors).toEqual([
      { detector: 'zscore', modelVersion: null, peakScore: 1.7, threshold: 6 },
    ]);
  });
});
