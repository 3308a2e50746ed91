import { msTime, quoteIdent, quoteString, retentionClause, tagRef } from './influxql';

describe(quoteIdent.name, () => {
  it('double-quotes and escapes quotes, backslashes and line breaks', () => {
    expect(quoteIdent('temp')).toBe('"temp"');
    expect(quoteIdent('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });
});

describe(tagRef.name, () => {
  it('names a tag key as a tag, quoted', () => {
    expect(tagRef('device_id')).toBe('"device_id"::tag');
    expect(tagRef('a"b')).toBe('"a\\"b"::tag');
  });
});

describe(quoteString.name, () => {
  it('single-quotes so that no value can end the literal early', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('trailing\\')).toBe("'trailing\\\\'");
    expect(quoteString("\\' OR 1=1")).toBe("'\\\\\\' OR 1=1'");
  });
});

describe(msTime.name, () => {
  it('formats epoch ms and rejects non-integers', () => {
    expect(msTime(1_763_816_400_123)).toBe('1763816400123ms');
    expect(() => msTime(1.5)).toThrow(RangeError);
    expect(() => msTime(Number.NaN)).toThrow(RangeError);
  });
});

describe(retentionClause.name, () => {
  it.each([
    ['INF', 'DURATION INF SHARD DURATION 7d'],
    ['0d', 'DURATION INF SHARD DURATION 7d'],
    ['12h', 'DURATION 12h SHARD DURATION 1h'],
    ['30d', 'DURATION 720h SHARD DURATION 1d'],
    ['12w', 'DURATION 2016h SHARD DURATION 1d'],
    ['52w', 'DURATION 8736h SHARD DURATION 7d'],
  ])('%s -> %s', (retention, clause) => {
    expect(retentionClause(retention)).toBe(clause);
  });

  it('rejects anything else', () => {
    expect(() => retentionClause('30 days')).toThrow(RangeError);
  });
});
