import { AnomalyEvent, anomalyId } from '@iag/contracts';
import { DetectionException } from '../detection.exception';
import { WindowScore } from '../detector.port';
import { EpisodeTracker, ScoringDetector } from './episode-tracker';

const T0 = Date.UTC(2026, 0, 1);
const DETECTOR: ScoringDetector = { id: 'zscore', version: null, threshold: 6 };

function win(score: number, top = 'temp'): WindowScore {
  return {
    score,
    contributions: [
      { name: top, contribution: 0.812345678 },
      { name: 'other', contribution: 0.187654322 },
    ],
  };
}

/** Feeds scores (null = learning) at T0, T0+1s, ...; returns the events with the index that caused each. */
function run(
  tracker: EpisodeTracker,
  scores: (number | null)[],
  deviceId = 'dev-1',
  from = 0,
): { at: number; event: AnomalyEvent }[] {
  const events: { at: number; event: AnomalyEvent }[] = [];
  scores.forEach((score, i) => {
    const event = tracker.observe(
      deviceId,
      T0 + (from + i) * 1000,
      score === null ? null : win(score),
      DETECTOR,
    );
    if (event !== null) events.push({ at: from + i, event });
  });
  return events;
}

const iso = (i: number) => new Date(T0 + i * 1000).toISOString();

describe(EpisodeTracker.name, () => {
  it('refuses openAfter or closeAfter below 1', () => {
    expect(() => new EpisodeTracker({ openAfter: 0, closeAfter: 5 })).toThrow(DetectionException);
    expect(() => new EpisodeTracker({ openAfter: 1, closeAfter: 1.5 })).toThrow(DetectionException);
  });

  it('opens at once with openAfter 1 and fills the Anomaly from the window', () => {
    const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 5 });
    const [opened] = run(tracker, [0.2, 1.234567891]);
    expect(opened.at).toBe(1);
    expect(opened.event).toEqual({
      type: 'opened',
      anomaly: {
        id: anomalyId('dev-1', T0 + 1000),
        deviceId: 'dev-1',
        startedAt: iso(1),
        endedAt: null,
        peakScore: 1.2346,
        threshold: 6,
        severity: 'warning',
        metrics: [
          { name: 'temp', contribution: 0.8123 },
          { name: 'other', contribution: 0.1877 },
        ],
        detector: 'zscore',
        modelVersion: null,
        detectors: [{ detector: 'zscore', modelVersion: null, peakScore: 1.2346, threshold: 6 }],
        status: 'open',
        acknowledgedBy: null,
        acknowledgedAt: null,
        resolvedBy: null,
        resolvedAt: null,
      },
    });
    expect(tracker.openEpisodes).toBe(1);
  });

  it('opens after k consecutive windows over 1.0, starting at the first of them', () => {
    const tracker = new EpisodeTracker({ openAfter: 3, closeAfter: 2 });
    // 1.5, 1.6 then a dip resets the streak; 1.2, 2.5, 1.1 opens, started at index 3.
    const events = run(tracker, [1.5, 1.6, 0.9, 1.2, 2.5, 1.1]);
    expect(events).toHaveLength(1);
    expect(events[0].at).toBe(5);
    expect(events[0].event.type).toBe('opened');
    expect(events[0].event.anomaly.startedAt).toBe(iso(3));
    expect(events[0].event.anomaly.id).toBe(anomalyId('dev-1', T0 + 3000));
    expect(events[0].event.anomaly.peakScore).toBe(2.5); // the peak of the windows that opened it
    expect(events[0].event.anomaly.severity).toBe('critical');
  });

  it('closes after m consecutive windows at or under 1.0, ended at the first of them', () => {
    const tracker = new EpisodeTracker({ openAfter: 2, closeAfter: 3 });
    // open at 1; 0.5, 0.7 then 1.3 resets the closing streak; 1.0, 0.2, 0.1 close, ended at 6.
    const events = run(tracker, [1.5, 1.5, 0.5, 0.7, 1.3, 0.2, 1.0, 0.2, 0.1, 0.1]);
    expect(events.map((e) => [e.at, e.event.type])).toEqual([
      [1, 'opened'],
      [7, 'closed'],
    ]);
    expect(events[1].event.anomaly.endedAt).toBe(iso(5));
    expect(events[1].event.anomaly.startedAt).toBe(iso(0));
    expect(events[1].event.anomaly.status).toBe('open'); // operators change the status, not detection
    expect(tracker.openEpisodes).toBe(0);
  });

  it("emits 'updated' only when the peak grows", () => {
    const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 5 });
    // 3.00001 is no growth once rounded to the 4 decimals an Anomaly shows.
    const events = run(tracker, [1.5, 1.4, 3.0, 3.0, 2.9, 3.00001, 4.2, 1.1]);
    expect(events.map((e) => [e.at, e.event.type, e.event.anomaly.peakScore])).toEqual([
      [0, 'opened', 1.5],
      [2, 'updated', 3],
      [6, 'updated', 4.2],
    ]);
    const ids = new Set(events.map((e) => e.event.anomaly.id));
    expect(ids.size).toBe(1);
    expect(events.at(-1)!.event.anomaly.severity).toBe('critical');
  });

  it('ignores null scores: they neither open, close nor break a streak', () => {
    const tracker = new EpisodeTracker({ openAfter: 2, closeAfter: 2 });
    const events = run(tracker, [null, 1.5, null, null, 1.6, 0.5, null, 0.4, null]);
    expect(events.map((e) => [e.at, e.event.type])).toEqual([
      [4, 'opened'],
      [7, 'closed'],
    ]);
    expect(events[0].event.anomaly.startedAt).toBe(iso(1));
    expect(events[1].event.anomaly.endedAt).toBe(iso(5));
  });

  it('keeps devices independent', () => {
    const tracker = new EpisodeTracker({ openAfter: 2, closeAfter: 2 });
    expect(run(tracker, [1.5], 'a', 0)).toEqual([]);
    expect(run(tracker, [1.5], 'b', 0)).toEqual([]);
    expect(run(tracker, [0.5], 'b', 1)).toEqual([]); // breaks b's streak, not a's
    const a = run(tracker, [1.7], 'a', 1);
    expect(
      a.map((e) => [e.event.type, e.event.anomaly.deviceId, e.event.anomaly.startedAt]),
    ).toEqual([['opened', 'a', iso(0)]]);
    expect(tracker.isOpen('a')).toBe(true);
    expect(tracker.isOpen('b')).toBe(false);
    expect(tracker.openEpisodes).toBe(1);
  });

  it('closes an open episode when a device is forgotten', () => {
    const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 5 });
    run(tracker, [2.5, 0.3]);
    const closed = tracker.forget('dev-1');
    expect(closed?.type).toBe('closed');
    expect(closed?.anomaly.endedAt).toBe(iso(1));
    expect(tracker.openEpisodes).toBe(0);
    expect(tracker.forget('dev-1')).toBeNull();
    // Its next episode starts from scratch.
    expect(run(tracker, [1.2], 'dev-1', 5)[0].event.anomaly.startedAt).toBe(iso(5));
  });

  describe('restore', () => {
    const opened = () => {
      const first = new EpisodeTracker({ openAfter: 1, closeAfter: 3 });
      return run(first, [0.5, 2.5])[0].event.anomaly;
    };

    it('resumes an open episode: no second opening, updates and closes the same anomaly', () => {
      const anomaly = opened();
      const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 3 });
      expect(tracker.restore(anomaly)).toBe(true);
      expect(tracker.openEpisodes).toBe(1);
      expect(tracker.isOpen('dev-1')).toBe(true);

      const events = run(tracker, [2.0, 3.5, 0.5, 0.5, 0.5], 'dev-1', 10);
      expect(events.map((e) => e.event.type)).toEqual(['updated', 'closed']);
      for (const { event } of events) expect(event.anomaly.id).toBe(anomaly.id);
      expect(events[0].event.anomaly).toMatchObject({ peakScore: 3.5, startedAt: iso(1) });
      expect(events[1].event.anomaly.endedAt).toBe(iso(12));
      expect(tracker.openEpisodes).toBe(0);
    });

    it('ignores ended episodes and devices it already tracks', () => {
      const anomaly = opened();
      const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 3 });
      expect(tracker.restore({ ...anomaly, endedAt: iso(5) })).toBe(false);
      expect(tracker.restore(anomaly)).toBe(true);
      expect(tracker.restore(anomaly)).toBe(false);
      expect(tracker.openEpisodes).toBe(1);
    });
  });
});

describe(`${EpisodeTracker.name} with several detectors`, () => {
  const MODEL = { id: 'env', version: '3', threshold: 0.02 };
  const MULTI = { id: 'multivariate', version: null, threshold: 3 };
  /** A reading scored by the multivariate detector and the z-score (on the metrics it leaves). */
  const both = (multivariate: number, zscore: number, top = 'temp'): WindowScore => {
    const high = multivariate >= zscore ? MULTI : DETECTOR;
    return {
      ...win(Math.max(multivariate, zscore), top),
      source: high,
      evidence: [
        { source: MULTI, score: multivariate },
        { source: DETECTOR, score: zscore },
      ],
    };
  };

  it('keeps one episode per device and lists every detector that fired, highest peak first', () => {
    const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 2 });
    const events = [
      both(1.5, 0.4),
      both(1.2, 3.1, 'hum'),
      both(2.2, 0.5),
      both(0.5, 0.2),
      both(0.3, 0.1),
    ]
      .map((score, i) => tracker.observe('dev-1', T0 + i * 1000, score, DETECTOR))
      .filter((event) => event !== null);
    expect(events.map((e) => e!.type)).toEqual(['opened', 'updated', 'closed']);
    const closed = events[2]!.anomaly;
    expect(closed.detectors).toEqual([
      { detector: 'zscore', modelVersion: null, peakScore: 3.1, threshold: 6 },
      { detector: 'multivariate', modelVersion: null, peakScore: 2.2, threshold: 3 },
    ]);
    // The episode is named by the detector with the highest peak, and shows that peak's metrics.
    expect(closed.detector).toBe('zscore');
    expect(closed.peakScore).toBe(3.1);
    expect(closed.metrics[0].name).toBe('hum');
  });

  it('does not list a detector that scored the episode without going over its threshold', () => {
    const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 1 });
    const opened = tracker.observe('dev-1', T0, both(1.8, 0.9), DETECTOR)!;
    expect(opened.anomaly.detectors.map((d) => d.detector)).toEqual(['multivariate']);
    expect(opened.anomaly.detector).toBe('multivariate');
    expect(opened.anomaly.threshold).toBe(3);
  });

  it('reads the contributions of the peak window only', () => {
    const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 5 });
    let reads = 0;
    const counted = (score: number): WindowScore => ({
      score,
      get contributions() {
        reads++;
        return win(score).contributions;
      },
    });
    for (const [i, score] of [1.5, 1.2, 0.4, 1.9, 0.9].entries())
      tracker.observe('dev-1', T0 + i * 1000, counted(score), DETECTOR);
    expect(reads).toBe(2); // 1.5 opened it, 1.9 raised the peak
  });

  it('resumes a restored episode with the detectors it had', () => {
    const tracker = new EpisodeTracker({ openAfter: 1, closeAfter: 1 });
    const opened = tracker.observe('dev-1', T0, { ...win(2), source: MODEL }, DETECTOR)!;
    const restored = new EpisodeTracker({ openAfter: 1, closeAfter: 1 });
    expect(restored.restore(opened.anomaly)).toBe(true);
    const closed = restored.observe('dev-1', T0 + 1000, win(0.1), DETECTOR)!;
    expect(closed.type).toBe('closed');
    expect(closed.anomaly.detectors).toEqual([
      { detector: 'env', modelVersion: '3', peakScore: 2, threshold: 0.02 },
    ]);
  });
});
