import {
  anomaliesQuerySchema,
  describeIssues,
  telemetryQuerySchema,
  TIME_RANGE_MS,
} from './rest-queries';

const problems = (schema: typeof telemetryQuerySchema | typeof anomaliesQuerySchema, q: object) => {
  const result = schema.safeParse(q);
  return result.success ? [] : describeIssues(result.error);
};

describe('REST time parameters', () => {
  it.each([
    ['to', { to: '9999999999999' }],
    ['to', { to: '+010000-01-01T00:00:00Z' }],
    ['from', { from: '1600-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
  ])('refuses a %s outside what InfluxDB holds, naming it', (name, query) => {
    for (const schema of [telemetryQuerySchema, anomaliesQuerySchema]) {
      const found = problems(schema, query);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(
        new RegExp(`^${name}: must be between 1677-09-21T.* and 2262-04-11T`),
      );
    }
  });

  it('accepts the edges of that range', () => {
    const edges = { from: String(-TIME_RANGE_MS.max), to: String(TIME_RANGE_MS.max) };
    expect(problems(anomaliesQuerySchema, { to: String(TIME_RANGE_MS.max) })).toEqual([]);
    expect(telemetryQuerySchema.parse({ to: edges.to })).toMatchObject({ to: TIME_RANGE_MS.max });
    expect(telemetryQuerySchema.parse({ to: '2262-04-11T23:47:16.854Z' }).to).toBe(
      TIME_RANGE_MS.max,
    );
  });

  it('keeps the default from inside the range when to is at its start', () => {
    const early = new Date(TIME_RANGE_MS.min + 1000).toISOString();
    expect(telemetryQuerySchema.parse({ to: early }).from).toBe(TIME_RANGE_MS.min);
  });

  it('refuses a bucket longer than InfluxDB can express, naming every', () => {
    expect(problems(telemetryQuerySchema, { every: '999999999w' })).toEqual([
      `every: must be at most ${TIME_RANGE_MS.max}ms`,
    ]);
  });
});
