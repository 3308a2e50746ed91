import { StreamingZScoreDetector } from '@iag/detection';
import { replay } from './replay';

describe(replay.name, () => {
  it('names what scored each reading, and nothing while the detector learns', async () => {
    const readings = Array.from({ length: 40 }, (_, i) => ({
      ts: Date.UTC(2026, 0, 1) + i * 60_000,
      values: { temp: i === 35 ? 90 : 20 + (i % 3) * 0.1 },
    }));
    const detector = new StreamingZScoreDetector({
      learnReadings: 10,
      zThreshold: 6,
      likelihood: null,
    });
    const [device] = await replay(
      [{ deviceId: 'a', profile: null, readings, labels: null }],
      detector,
      { openAfter: 1, closeAfter: 2 },
    );
    expect(device.detectors).toHaveLength(40);
    expect(device.detectors[0]).toBeNull();
    expect(device.detectors[39]).toBe(detector.id);
    expect(device.scores[35]).toBeGreaterThan(1);
    expect(device.alarms[35]).toBe(1);
  });
});
