import { DetectionException, DetectionExceptionCode } from '../detection.exception';
import { AnomalyDetector, DeviceWindow, WindowScore } from '../detector.port';
import { DeviceSubspace, FleetSubspace } from './device-subspace';
import { DEFAULT_SUBSPACE_OPTIONS, SubspaceOptions } from './subspace-options';
import { SubspaceWindow } from './subspace-window';

export const MULTIVARIATE_DETECTOR_ID = 'multivariate';

/** How the detector names itself on anomalies, and its own episode rule if it has one. */
export interface DetectorIdentity {
  id: string;
  version: string | null;
  episode?: { openAfter: number; closeAfter: number };
}

/**
 * The zero-config multivariate detector: per device, a streaming PCA of its metric vector (each
 * metric's value and its step from the previous reading) learned from its first readings, judged
 * by Hotelling's T², the SPE (Q) residual and the largest single z, raw and EWMA-smoothed, each
 * against a limit learned from the device's own held-out readings; plus a stuck-sensor check.
 * It catches a change in the relation between metrics that no single metric's z-score sees.
 * A device with fewer than two fresh metrics gets null (another detector scores it).
 */
export class SubspaceDetector implements AnomalyDetector {
  readonly id: string;
  readonly version: string | null;
  readonly threshold: number;
  /** Its own episode rule, when it has one (ScoreSource.episode). */
  readonly episode?: { openAfter: number; closeAfter: number };
  private readonly options: SubspaceOptions;
  private readonly devices = new Map<string, DeviceSubspace>();

  constructor(
    options: Partial<SubspaceOptions> = {},
    private readonly fleet: FleetSubspace | null = null,
    identity: DetectorIdentity = { id: MULTIVARIATE_DETECTOR_ID, version: null },
  ) {
    this.options = { ...DEFAULT_SUBSPACE_OPTIONS, ...options };
    validate(this.options);
    this.id = identity.id;
    this.version = identity.version;
    if (identity.episode) this.episode = identity.episode;
    this.threshold = this.options.limitSigmas;
  }

  scoreBatch(windows: DeviceWindow[]): Promise<(WindowScore | null)[]> {
    return Promise.resolve(windows.map((window) => this.scoreOne(window)));
  }

  /** Scores one reading now (the router calls this in reading order). */
  scoreOne({ deviceId, reading }: DeviceWindow): SubspaceWindow | null {
    let device = this.devices.get(deviceId);
    if (device === undefined) {
      device = new DeviceSubspace(this.options, this.fleet);
      this.devices.set(deviceId, device);
    }
    const verdict = device.observe(reading.values, reading.ts);
    return verdict === null ? null : new SubspaceWindow(verdict);
  }

  /** The metrics the device's model covers now (another detector watches the rest). */
  modelledMetrics(deviceId: string): readonly string[] {
    return this.devices.get(deviceId)?.modelledNames ?? [];
  }

  /** The device sends several metrics and is within the first readings of its first learning. */
  isLearning(deviceId: string): boolean {
    return this.devices.get(deviceId)?.learningFirstReadings ?? false;
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId);
  }

  /** Bytes of typed state the device holds (learning buffer included while it learns). */
  stateBytes(deviceId: string): number {
    return this.devices.get(deviceId)?.bytes ?? 0;
  }
}

function validate(options: SubspaceOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.learnReadings) || options.learnReadings < 10)
    problems.push('learnReadings must be an integer >= 10');
  if (!(options.holdoutShare > 0 && options.holdoutShare < 1))
    problems.push('holdoutShare must be in (0, 1)');
  if (!(options.explainedVariance > 0 && options.explainedVariance <= 1))
    problems.push('explainedVariance must be in (0, 1]');
  if (!(options.ewmaWeight > 0 && options.ewmaWeight <= 1))
    problems.push('ewmaWeight must be in (0, 1]');
  if (!(options.limitSigmas > 0)) problems.push('limitSigmas must be > 0');
  if (problems.length > 0) {
    throw new DetectionException(DetectionExceptionCode.INVALID_OPTIONS, problems.join('; '));
  }
}
