import { ModelMetadata } from '../model/model-metadata';
import { DeviceCalibration, limitWindowsOf, scalingFor, scalingReadingsOf } from './normalization';

function meta(mode: 'global' | 'per-device', calibrationReadings = 4): ModelMetadata {
  return {
    name: 'm',
    kind: 'autoencoder',
    version: '1',
    features: ['a', 'b'],
    windowSize: 1,
    normalization: { mode, mean: [10, 20], std: [2, 4], calibrationReadings },
    threshold: 1,
    maxCarryForward: 3,
    trainedOn: {},
    evaluation: null,
    createdAt: '2026-01-01T00:00:00Z',
  };
}

describe(DeviceCalibration.name, () => {
  it('uses the model mean and std in global mode, whatever the device sent', () => {
    const calibration = new DeviceCalibration();
    calibration.observe(['a', 'b'], [1000, 1000], 4);
    expect(scalingFor(meta('global'), calibration)).toEqual({ mean: [10, 20], std: [2, 4] });
  });

  it('learns a device its own mean and std over its scaling readings, then freezes them', () => {
    const calibration = new DeviceCalibration();
    // 6 calibration readings: the first 4 scale the device, the next 2 windows set its limits.
    const m = meta('per-device', 6);
    expect(scalingReadingsOf(m.normalization)).toBe(4);
    expect(limitWindowsOf(m.normalization)).toBe(2);
    expect(scalingReadingsOf(meta('global', 6).normalization)).toBe(0);
    // a: 1, 3, 5, 7 -> mean 4, population std sqrt(5); b: constant 8 -> std floored at 1e-3 * 4.
    for (const a of [1, 3, 5])
      calibration.observe(m.features, [a, 8], scalingReadingsOf(m.normalization));
    expect(scalingFor(m, calibration)).toBeNull(); // 3 of 4 readings: still calibrating
    calibration.observe(m.features, [7, 8], 4);
    calibration.observe(m.features, [1000, -1000], 4); // after calibration: ignored
    const scaling = scalingFor(m, calibration)!;
    expect(Array.from(scaling.mean)).toEqual([4, 8]);
    expect(scaling.std[0]).toBeCloseTo(Math.sqrt(5), 12);
    expect(scaling.std[1]).toBeCloseTo(0.004, 12);
  });
});
