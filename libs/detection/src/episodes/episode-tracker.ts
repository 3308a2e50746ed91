import {
  Anomaly,
  AnomalyEvent,
  AnomalyEventType,
  anomalyId,
  DetectorFiring,
  severityFor,
} from '@iag/contracts';
import { DetectionException, DetectionExceptionCode } from '../detection.exception';
import { AnomalyDetector, WindowScore } from '../detector.port';

/** Which detector scored the windows; reported on the Anomaly. */
export type ScoringDetector = Pick<AnomalyDetector, 'id' | 'version' | 'threshold'> & {
  /** Overrides openAfter / closeAfter for episodes this detector opens (a model's metadata). */
  episode?: { openAfter: number; closeAfter: number };
};

/** Scores and contributions are rounded to this many decimals on the Anomaly. */
const DECIMALS = 4;

interface Peak {
  score: number;
  metrics: { name: string; contribution: number }[];
}

interface Window {
  /** Over the threshold: the raw score > 1.0 (the rounded one may read 1). */
  over: boolean;
  score: number;
  /** The scored window: its contributions are read only when it becomes the peak. */
  scored: WindowScore;
}

/** Per device: either counting over-threshold windows towards opening, or an open episode. */
interface DeviceEpisode {
  /** Consecutive windows over 1.0 while closed; consecutive windows at or under it while open. */
  streak: number;
  /** ts of the first window of the current streak. */
  streakStart: number;
  /** Highest window while the over-threshold streak builds up (closed) or of the episode (open). */
  peak: Peak | null;
  open: { startedAt: number; detector: ScoringDetector } | null;
  lastTs: number;
  /** Detectors over their threshold in this streak or episode, by id and version. */
  firings: Map<string, DetectorFiring>;
}

/**
 * The episode state machine (DESIGN.md): open after `openAfter` consecutive windows over 1.0,
 * close after `closeAfter` consecutive windows at or under it. One Anomaly per episode, with
 * 'updated' only when its peak grows. A null score (still learning) is skipped: it neither opens,
 * closes nor breaks a streak. Times come from the readings. Pure: no clock, no I/O.
 */
export class EpisodeTracker {
  private readonly openAfter: number;
  private readonly closeAfter: number;
  private readonly devices = new Map<string, DeviceEpisode>();
  private openCount = 0;

  constructor(options: { openAfter: number; closeAfter: number }) {
    for (const key of ['openAfter', 'closeAfter'] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < 1) {
        throw new DetectionException(
          DetectionExceptionCode.INVALID_OPTIONS,
          `${key} must be an integer >= 1, got ${value}`,
        );
      }
    }
    this.openAfter = options.openAfter;
    this.closeAfter = options.closeAfter;
  }

  /** Feeds one scored window (in ts order per device); returns the event it causes, if any. */
  observe(
    deviceId: string,
    ts: number,
    score: WindowScore | null,
    detector: ScoringDetector,
  ): AnomalyEvent | null {
    if (score === null) return null;
    const known = this.devices.get(deviceId);
    if (known === undefined && !(score.score > 1)) return null; // the common case: quiet, nothing pending
    const state = known ?? this.newState(deviceId, ts);
    state.lastTs = ts;
    const window: Window = { over: score.score > 1, score: round(score.score), scored: score };
    recordFirings(state.firings, score, detector);
    return state.open === null
      ? this.whileClosed(deviceId, state, ts, window, detector)
      : this.whileOpen(deviceId, state, ts, window);
  }

  /**
   * Resumes an episode that was open when the gateway stopped (read back from storage): later
   * windows update or close it instead of opening a second one. Ended or known ones are ignored.
   */
  restore(anomaly: Anomaly): boolean {
    if (anomaly.endedAt !== null || this.devices.has(anomaly.deviceId)) return false;
    const startedAt = Date.parse(anomaly.startedAt);
    this.devices.set(anomaly.deviceId, {
      streak: 0,
      streakStart: startedAt,
      peak: { score: anomaly.peakScore, metrics: anomaly.metrics.map((m) => ({ ...m })) },
      open: {
        startedAt,
        detector: {
          id: anomaly.detector,
          version: anomaly.modelVersion,
          threshold: anomaly.threshold,
        },
      },
      lastTs: startedAt,
      firings: new Map(
        anomaly.detectors.map((f) => [firingKey(f.detector, f.modelVersion), { ...f }]),
      ),
    });
    this.openCount++;
    return true;
  }

  /**
   * Drops a device's state (revoked). An open episode is closed at `endedAt`, by default the ts
   * of the device's last window, and its 'closed' event returned.
   */
  forget(deviceId: string, endedAt?: number): AnomalyEvent | null {
    const state = this.devices.get(deviceId);
    if (state === undefined) return null;
    this.devices.delete(deviceId);
    if (state.open === null) return null;
    this.openCount--;
    return this.event('closed', deviceId, state, endedAt ?? state.lastTs);
  }

  get openEpisodes(): number {
    return this.openCount;
  }

  isOpen(deviceId: string): boolean {
    return this.devices.get(deviceId)?.open != null;
  }

  private whileClosed(
    deviceId: string,
    state: DeviceEpisode,
    ts: number,
    window: Window,
    detector: ScoringDetector,
  ): AnomalyEvent | null {
    if (!window.over) {
      this.devices.delete(deviceId); // the streak is broken; a quiet device costs no memory here
      return null;
    }
    if (state.streak === 0) state.streakStart = ts;
    state.streak++;
    if (state.peak === null || window.score > state.peak.score) state.peak = peakOf(window);
    if (state.streak < (detector.episode?.openAfter ?? this.openAfter)) return null;
    state.open = { startedAt: state.streakStart, detector };
    state.streak = 0;
    this.openCount++;
    return this.event('opened', deviceId, state, null);
  }

  private whileOpen(
    deviceId: string,
    state: DeviceEpisode,
    ts: number,
    window: Window,
  ): AnomalyEvent | null {
    if (window.over) {
      state.streak = 0;
      // Compared as rounded, so 'updated' always shows a larger peakScore than the event before.
      if (window.score <= state.peak!.score) return null;
      state.peak = peakOf(window);
      return this.event('updated', deviceId, state, null);
    }
    if (state.streak === 0) state.streakStart = ts;
    state.streak++;
    if (state.streak < (state.open!.detector.episode?.closeAfter ?? this.closeAfter)) return null;
    const event = this.event('closed', deviceId, state, state.streakStart);
    this.devices.delete(deviceId);
    this.openCount--;
    return event;
  }

  private newState(deviceId: string, ts: number): DeviceEpisode {
    const state: DeviceEpisode = {
      streak: 0,
      streakStart: ts,
      peak: null,
      open: null,
      lastTs: ts,
      firings: new Map(),
    };
    this.devices.set(deviceId, state);
    return state;
  }

  private event(
    type: AnomalyEventType,
    deviceId: string,
    state: DeviceEpisode,
    endedAt: number | null,
  ): AnomalyEvent {
    const { startedAt, detector: opener } = state.open!;
    const peak = state.peak!;
    const firings = [...state.firings.values()]
      .map((f) => ({ ...f }))
      .sort((a, b) => b.peakScore - a.peakScore || a.detector.localeCompare(b.detector));
    // The highest firing names the episode; the opener when none is known (a restored one).
    const detector = firings[0]
      ? {
          id: firings[0].detector,
          version: firings[0].modelVersion,
          threshold: firings[0].threshold,
        }
      : opener;
    const anomaly: Anomaly = {
      id: anomalyId(deviceId, startedAt),
      deviceId,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: endedAt === null ? null : new Date(endedAt).toISOString(),
      peakScore: peak.score,
      threshold: detector.threshold,
      severity: severityFor(peak.score),
      metrics: peak.metrics.map((m) => ({ ...m })),
      detector: detector.id,
      modelVersion: detector.version,
      detectors: firings,
      status: 'open',
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolvedBy: null,
      resolvedAt: null,
    };
    return { type, anomaly };
  }
}

function round(value: number): number {
  const factor = 10 ** DECIMALS;
  return Math.round(value * factor) / factor;
}

function peakOf(window: Window): Peak {
  return { score: window.score, metrics: roundMetrics(window.scored.contributions) };
}

function firingKey(id: string, version: string | null): string {
  return version === null ? id : `${id}/${version}`;
}

/** Every detector over its threshold in this window raises its firing's peak. */
function recordFirings(
  firings: Map<string, DetectorFiring>,
  score: WindowScore,
  detector: ScoringDetector,
): void {
  const evidence = score.evidence ?? [{ source: score.source ?? detector, score: score.score }];
  for (const { source, score: value } of evidence) {
    if (!(value > 1)) continue;
    const key = firingKey(source.id, source.version);
    const peakScore = round(value);
    const known = firings.get(key);
    if (known === undefined) {
      firings.set(key, {
        detector: source.id,
        modelVersion: source.version,
        peakScore,
        threshold: source.threshold,
      });
    } else if (peakScore > known.peakScore) known.peakScore = peakScore;
  }
}

function roundMetrics(contributions: WindowScore['contributions']): Peak['metrics'] {
  return contributions.map(({ name, contribution }) => ({
    name,
    contribution: round(contribution),
  }));
}
