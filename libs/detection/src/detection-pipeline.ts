import { Anomaly, AnomalyEvent, Reading } from '@iag/contracts';
import { DetectionException, DetectionExceptionCode } from './detection.exception';
import { AnomalyDetector, DeviceWindow, WindowScore } from './detector.port';
import { EpisodeTracker } from './episodes/episode-tracker';
import { QueuedReading } from './scoring.queue';

/** What one batch did, for the service's counters. */
export interface BatchOutcome {
  events: AnomalyEvent[];
  /** Scored windows, in the order they were scored, with their results (the backtest's rows). */
  windows: DeviceWindow[];
  scores: (WindowScore | null)[];
  scored: number;
  learning: number;
  late: number;
}

/**
 * Readings to episodes, with no clock, queue or I/O: group a batch per device, sort by ts, drop
 * what is not newer than the device's last reading, score the rest in one detector call and feed
 * the episode state machine. The gateway's DetectionService runs batches through it as readings
 * arrive; the trainer's backtest replays a labelled file through the very same object.
 */
export class DetectionPipeline {
  private readonly tracker: EpisodeTracker;
  /** ts of the newest reading handed to the detector, per device: anything not newer is late. */
  private readonly lastTs = new Map<string, number>();

  constructor(
    readonly detector: AnomalyDetector,
    episodes: { openAfter: number; closeAfter: number },
  ) {
    this.tracker = new EpisodeTracker(episodes);
  }

  get openEpisodes(): number {
    return this.tracker.openEpisodes;
  }

  /** Scores one batch; throws when the detector fails (the caller counts its readings unscored). */
  async run(queued: QueuedReading[], skip: ReadonlySet<string> = new Set()): Promise<BatchOutcome> {
    const { windows, late } = this.prepare(queued);
    const outcome: BatchOutcome = { events: [], windows, scores: [], scored: 0, learning: 0, late };
    if (windows.length === 0) return outcome;
    const scores = await this.detector.scoreBatch(windows);
    if (scores.length !== windows.length) {
      throw new DetectionException(
        DetectionExceptionCode.SCORE_COUNT_MISMATCH,
        `${scores.length} scores for ${windows.length} windows`,
      );
    }
    outcome.scores = scores;
    windows.forEach(({ deviceId, reading }, i) => {
      if (skip.has(deviceId)) return;
      const score = scores[i];
      if (score === null) outcome.learning++;
      else outcome.scored++;
      const event = this.tracker.observe(
        deviceId,
        reading.ts,
        score,
        score?.source ?? this.detector,
      );
      if (event !== null) outcome.events.push(event);
    });
    return outcome;
  }

  /** Resumes an episode left open by an earlier run (see EpisodeTracker.restore). */
  restore(anomaly: Anomaly): boolean {
    return this.tracker.restore(anomaly);
  }

  /** Drops a device (revoked); its open episode is closed and that event returned. */
  forget(deviceId: string): AnomalyEvent | null {
    this.detector.forget(deviceId);
    this.lastTs.delete(deviceId);
    return this.tracker.forget(deviceId);
  }

  /** Groups per device, sorts by ts and drops readings not newer than the device's last one. */
  private prepare(queued: QueuedReading[]): { windows: DeviceWindow[]; late: number } {
    const byDevice = new Map<string, Reading[]>();
    const profiles = new Map<string, string | null>();
    for (const { deviceId, reading, profile } of queued) {
      const readings = byDevice.get(deviceId);
      if (readings === undefined) byDevice.set(deviceId, [reading]);
      else readings.push(reading);
      profiles.set(deviceId, profile);
    }
    const windows: DeviceWindow[] = [];
    let late = 0;
    for (const [deviceId, readings] of byDevice) {
      readings.sort((a, b) => a.ts - b.ts);
      let last = this.lastTs.get(deviceId) ?? -Infinity;
      for (const reading of readings) {
        if (!(reading.ts > last)) {
          late++;
          continue;
        }
        last = reading.ts;
        windows.push({ deviceId, reading, profile: profiles.get(deviceId) ?? null });
      }
      if (last !== -Infinity) this.lastTs.set(deviceId, last);
    }
    return { windows, late };
  }
}
