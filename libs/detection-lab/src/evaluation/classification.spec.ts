import { classify } from './classification';

describe('classify', () => {
  it('computes precision, recall, F1 and the alarm rates (hand-computed)', () => {
    const labels = [1, 1, 1, 0, 0, 0, 0, 0];
    const alarms = [1, 1, 0, 1, 0, 0, 0, 0];
    const report = classify(labels, alarms);
    expect(report).toMatchObject({ tp: 2, fn: 1, fp: 1, tn: 4 });
    expect(report.precision).toBeCloseTo(2 / 3, 12);
    expect(report.recall).toBeCloseTo(2 / 3, 12);
    expect(report.f1).toBeCloseTo(2 / 3, 12);
    expect(report.falseAlarmRate).toBeCloseTo(1 / 5, 12);
    expect(report.missedAlarmRate).toBeCloseTo(1 / 3, 12);
  });

  it('answers 0 where a ratio has nothing to count', () => {
    expect(classify([0, 0], [0, 0])).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
      missedAlarmRate: 0,
    });
  });
});
