import { buildTelemetryQuery, IsoTimes, selectedMetrics, toSeriesPoints } from './telemetry-query';

describe(buildTelemetryQuery.name, () => {
  const range = { from: 1000, to: 2000 };

  it('selects raw points by name, newest 10,000, for one device (a tag) and range', () => {
    expect(buildTelemetryQuery('dev-1', { ...range, fn: 'mean' }, ['temp', 'hum'])).toBe(
      `SELECT "temp", "hum" FROM "telemetry" WHERE "device_id"::tag = 'dev-1' AND time >= 1000ms AND time <= 2000ms ORDER BY time DESC LIMIT 10000`,
    );
  });

  it('aggregates per bucket with fill(none), aliasing each metric', () => {
    expect(
      buildTelemetryQuery('dev-1', { ...range, fn: 'max', every: 60_000 }, ['temp', 'hum']),
    ).toBe(
      `SELECT max("temp") AS "temp", max("hum") AS "hum" FROM "telemetry" WHERE "device_id"::tag = 'dev-1' AND time >= 1000ms AND time <= 2000ms GROUP BY time(60000ms) fill(none)`,
    );
  });

  it('never selects *', () => {
    for (const every of [undefined, 500]) {
      expect(buildTelemetryQuery('d', { ...range, fn: 'median', every }, ['x'])).not.toContain('*');
    }
    expect(() => buildTelemetryQuery('d', { ...range, fn: 'mean' }, [])).toThrow(RangeError);
  });

  it('escapes the device id and metric names', () => {
    const q = buildTelemetryQuery(`x' OR '1'='1`, { ...range, fn: 'mean' }, ['a"b']);
    expect(q).toContain(`"device_id"::tag = 'x\\' OR \\'1\\'=\\'1'`);
    expect(q).toContain('"a\\"b"');
  });

  it('rejects an unknown function or a non-integer bucket', () => {
    expect(() =>
      buildTelemetryQuery('d', { ...range, every: 10, fn: 'sum' as never }, ['x']),
    ).toThrow(RangeError);
    expect(() => buildTelemetryQuery('d', { ...range, every: 0.5, fn: 'mean' }, ['x'])).toThrow(
      RangeError,
    );
  });
});

describe(selectedMetrics.name, () => {
  it("takes the names asked for, else the device's own", () => {
    const q = { from: 0, to: 1, fn: 'mean' as const };
    expect(selectedMetrics({ ...q, metrics: ['a'] }, ['b', 'c'])).toEqual(['a']);
    expect(selectedMetrics(q, ['b', 'c'])).toEqual(['b', 'c']);
  });
});

describe(toSeriesPoints.name, () => {
  it("sorts oldest first; of the device's own names drops those without a value", () => {
    const rows = [
      { time: 2000, temp: 2, hum: null, other: null },
      { time: 1000, temp: 1, hum: 40, other: null },
    ];
    expect(
      toSeriesPoints(rows, { from: 0, to: 3000, fn: 'mean' }, ['temp', 'hum', 'other']),
    ).toEqual([
      { time: new Date(1000).toISOString(), values: { temp: 1, hum: 40 } },
      { time: new Date(2000).toISOString(), values: { temp: 2, hum: null } },
    ]);
  });

  it('answers only the selected names, whatever else a row holds', () => {
    const rows = [{ time: 0, temp: 1.5, device_id: 'x', junk: 3 }];
    expect(toSeriesPoints(rows, { from: 0, to: 1, fn: 'mean' }, ['temp'])[0].values).toEqual({
      temp: 1.5,
    });
  });

  it('keeps explicitly asked metrics even when empty', () => {
    const rows = [{ time: 0, temp: null }];
    expect(
      toSeriesPoints(rows, { from: 0, to: 1, fn: 'mean', metrics: ['temp'] }, ['temp'])[0].values,
    ).toEqual({ temp: null });
  });
});

describe(IsoTimes.name, () => {
  it('formats exactly as Date#toISOString, across seconds, before 1970 and far ahead', () => {
    const iso = new IsoTimes();
    const times = [
      0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1_700_000_000_000, 1_700_000_000_005,
      1_700_000_000_999, 1_700_000_001_000, 1_700_000_000_500, -1, -999, -1000, -1001,
      253_402_300_799_999, 253_402_300_800_000, 8.64e15,
    ];
    for (const ms of times) expect(iso.format(ms)).toBe(new Date(ms).toISOString());
  });

  it('falls back to Date for a fractional ms and throws as Date does for an invalid time', () => {
    const iso = new IsoTimes();
    expect(iso.format(1000.5)).toBe(new Date(1000.5).toISOString());
    expect(() => iso.format(Number.NaN)).toThrow(RangeError);
  });
});
