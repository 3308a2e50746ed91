import { metricNameProblem, RESERVED_METRIC_NAMES } from './identifiers';

describe(metricNameProblem.name, () => {
  it('accepts ordinary names', () => {
    for (const name of ['temp', '_x', 'a'.repeat(64), 'Time', 'device']) {
      expect(metricNameProblem(name)).toBeNull();
    }
  });

  it('names the pattern for malformed names and the reason for reserved ones', () => {
    expect(metricNameProblem('1a')).toMatch(/must match/);
    expect(metricNameProblem('a'.repeat(65))).toMatch(/must match/);
    for (const [name, reason] of RESERVED_METRIC_NAMES) {
      expect(metricNameProblem(name)).toBe(`metric name "${name}" is reserved: ${reason}`);
    }
  });
});
