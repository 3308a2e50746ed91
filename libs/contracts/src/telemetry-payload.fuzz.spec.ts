import fc from 'fast-check';
import { metricNameProblem } from './identifiers';
import { RejectionCode } from './rejection';
import { parseTelemetryPayload } from './telemetry-payload';

const limits = { maxPayloadBytes: 4096, maxReadingsPerMessage: 50 };
const now = Date.UTC(2026, 0, 1);
const codes = new Set<string>(Object.values(RejectionCode));

/** Every input yields readings or named rejections, never an exception, and never both nothing. */
function wellFormed(payload: Buffer): boolean {
  const { readings, rejections } = parseTelemetryPayload(payload, limits, now);
  if (readings.length + rejections.length === 0) return false;
  for (const r of rejections) if (!codes.has(r.code) || typeof r.detail !== 'string') return false;
  for (const reading of readings) {
    if (!Number.isFinite(reading.ts)) return false;
    const values = Object.values(reading.values);
    if (values.length === 0 || !values.every(Number.isFinite)) return false;
    // Nothing storage reserves (its tag, its time column) or cannot hold gets through as a metric.
    if (Object.keys(reading.values).some((name) => metricNameProblem(name) !== null)) return false;
  }
  return true;
}

const metricish = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    'ts',
    'temp',
    '__proto__',
    'constructor',
    '1x',
    'a'.repeat(70),
    'device_id',
    'time',
  ),
);
const valueish = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 5 }),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const readingish = fc.dictionary(metricish, valueish, { maxKeys: 6 });
const jsonish = fc.oneof(
  readingish,
  fc.array(fc.oneof(readingish, valueish), { maxLength: 8 }),
  fc.jsonValue(),
);

describe('parseTelemetryPayload under fuzzing', () => {
  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => wellFormed(Buffer.from(bytes))),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary JSON shaped like readings', () => {
    fc.assert(
      fc.property(jsonish, (value) => wellFormed(Buffer.from(JSON.stringify(value) ?? 'null'))),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary text, including broken UTF-8 and deep nesting', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.nat({ max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
          fc.nat({ max: 3000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
        ),
        (text) => wellFormed(Buffer.from(text, 'utf8')),
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps exactly the valid readings of a mixed batch', () => {
    const good = fc.record({ temp: fc.double({ noNaN: true, noDefaultInfinity: true }) });
    const bad = fc.oneof(fc.constant({ temp: 'x' }), fc.constant(7), fc.constant({}));
    fc.assert(
      fc.property(fc.array(fc.oneof(good, bad), { minLength: 1, maxLength: 50 }), (batch) => {
        const { readings, rejections } = parseTelemetryPayload(
          Buffer.from(JSON.stringify(batch)),
          limits,
          now,
        );
        const expected = batch.filter((r) => typeof (r as { temp?: unknown }).temp === 'number');
        return (
          readings.length === expected.length &&
          rejections.length === batch.length - expected.length &&
          rejections.every((r) => r.index !== undefined)
        );
      }),
    );
  });
});
