import fc from 'fast-check';
import {
  anomaliesQuerySchema,
  createApiKeySchema,
  createDeviceSchema,
  describeIssues,
  telemetryQuerySchema,
  TIME_RANGE_MS,
} from './rest-queries';

const schemas = {
  anomaliesQuerySchema,
  telemetryQuerySchema,
  createDeviceSchema,
  createApiKeySchema,
};
/** Every parameter the schemas know, plus whatever else a client might send. */
const names = [
  ...Object.keys(anomaliesQuerySchema.shape),
  ...Object.keys(telemetryQuerySchema.in.shape),
  ...Object.keys(createDeviceSchema.shape),
  ...Object.keys(createApiKeySchema.shape),
];
/** What a query string or JSON body can carry: strings mostly, sometimes repeated or other JSON. */
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('0', '-1', '1e309', 'NaN', '2026-13-45', '99999999999999999', '1ms', '0s'),
  fc.constantFrom('9999999999999', '+010000-01-01T00:00:00Z', '-001000-01-01T00:00:00Z', '9999w'),
  fc.bigInt(-(10n ** 16n), 10n ** 16n).map(String),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const input = fc.dictionary(
  fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 10 })),
  value,
  {
    maxKeys: 6,
  },
);

describe('REST schemas under fuzzing', () => {
  it.each(Object.entries(schemas))('%s never throws and names what it refuses', (_name, schema) => {
    fc.assert(
      fc.property(input, (query) => {
        const result = schema.safeParse(query);
        if (result.success) return true;
        const messages = describeIssues(result.error);
        return messages.length > 0 && messages.every((m) => typeof m === 'string' && m.length > 0);
      }),
      { numRuns: 1500 },
    );
  });

  it('lets through only times and buckets InfluxDB can hold', () => {
    const inRange = (ms: unknown) =>
      ms === undefined ||
      (typeof ms === 'number' && ms >= TIME_RANGE_MS.min && ms <= TIME_RANGE_MS.max);
    fc.assert(
      fc.property(input, (query) => {
        const telemetry = telemetryQuerySchema.safeParse(query);
        const anomalies = anomaliesQuerySchema.safeParse(query);
        return (
          (!telemetry.success ||
            (inRange(telemetry.data.from) &&
              inRange(telemetry.data.to) &&
              inRange(telemetry.data.every))) &&
          (!anomalies.success || (inRange(anomalies.data.from) && inRange(anomalies.data.to)))
        );
      }),
      { numRuns: 3000 },
    );
  });
});
