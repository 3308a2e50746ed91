import { parseTimestamp } from './timestamps';

describe('parseTimestamp', () => {
  it.each([
    ['1767225600000', Date.UTC(2026, 0, 1)],
    ['2026-01-01T00:00:00Z', Date.UTC(2026, 0, 1)],
    ['2026-01-01T02:00:00+02:00', Date.UTC(2026, 0, 1)],
    ['2026-01-01 00:00:00', Date.UTC(2026, 0, 1)], // no zone: UTC (NAB, spreadsheets)
    ['2014-02-19 10:50:00.000000', Date.UTC(2014, 1, 19, 10, 50)],
    ['2026-01-01', Date.UTC(2026, 0, 1)],
  ])('reads %s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it('answers NaN for anything else', () => {
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(parseTimestamp('')).toBeNaN();
  });
});
