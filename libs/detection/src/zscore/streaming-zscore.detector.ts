import { Logger } from '@nestjs/common';
import { DetectionException, DetectionExceptionCode } from '../detection.exception';
import { detectorMetricsSkipped } from '../detection.metrics';
import { Coverage, DeviceWindow, FallbackDetector, WindowScore } from '../detector.port';
import { BaselineSnapshot } from './metric-baseline';
import { LikelihoodOptions, MetricChannels } from './metric-channels';

/** Baselines kept per device; a device sending more distinct metrics gets the rest skipped (and counted). */
export const MAX_METRICS_PER_DEVICE = 64;

export interface ZScoreOptions {
  learnReadings: number;
  zThreshold: number;
  /** The likelihood stage (metric-channels.ts); absent or null: plain robust z only. */
  likelihood?: LikelihoodOptions | null;
}

/**
 * Zero-config detector for any device: robust streaming baselines per device and metric.
 * Score = max over the reading's learned metrics of z / zThreshold; with the likelihood stage,
 * once a metric is warm, of its level/change likelihood / the likelihood threshold.
 */
export class StreamingZScoreDetector implements FallbackDetector {
  readonly id = 'zscore';
  readonly version = null;
  readonly threshold: number;
  private readonly logger = new Logger(StreamingZScoreDetector.name);
  private readonly learnReadings: number;
  private readonly likelihood: LikelihoodOptions | null;
  private readonly devices = new Map<string, Map<string, MetricChannels>>();
  private readonly warnedDevices = new Set<string>();

  constructor(options: ZScoreOptions) {
    if (!Number.isInteger(options.learnReadings) || options.learnReadings < 2) {
      throw new DetectionException(
        DetectionExceptionCode.INVALID_OPTIONS,
        `learnReadings must be an integer >= 2, got ${options.learnReadings}`,
      );
    }
    if (!(options.zThreshold > 0) || !Number.isFinite(options.zThreshold)) {
      throw new DetectionException(
        DetectionExceptionCode.INVALID_OPTIONS,
        `zThreshold must be a positive number, got ${options.zThreshold}`,
      );
    }
    const likelihood = options.likelihood ?? null;
    if (
      likelihood &&
      !(
        likelihood.threshold > 0 &&
        Number.isInteger(likelihood.warmupReadings) &&
        likelihood.warmupReadings >= 1
      )
    ) {
      throw new DetectionException(
        DetectionExceptionCode.INVALID_OPTIONS,
        `likelihood needs warmupReadings >= 1 and threshold > 0, got ${JSON.stringify(likelihood)}`,
      );
    }
    this.learnReadings = options.learnReadings;
    this.threshold = options.zThreshold;
    this.likelihood = likelihood;
  }

  scoreBatch(windows: DeviceWindow[]): Promise<(WindowScore | null)[]> {
    return Promise.resolve(windows.map((window) => this.scoreOne(window)));
  }

  scoreUncovered(windows: DeviceWindow[], covered: readonly Coverage[]): (WindowScore | null)[] {
    return windows.map((window, i) => {
      const coverage = covered[i];
      if (coverage === true) return this.learnOne(window);
      return this.scoreOne(window, coverage === false ? null : coverage);
    });
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId);
    this.warnedDevices.delete(deviceId);
  }

  isReady(): boolean {
    return true;
  }

  /** The baseline of one device's metric, for diagnostics and tests; null if none is seeded yet. */
  baseline(deviceId: string, metric: string): BaselineSnapshot | null {
    return this.devices.get(deviceId)?.get(metric)?.level.snapshot() ?? null;
  }

  /** Scores the reading's metrics but `covered` ones, which it only learns. */
  private scoreOne(
    { deviceId, reading }: DeviceWindow,
    covered: readonly string[] | null = null,
  ): WindowScore | null {
    const baselines = this.baselinesOf(deviceId);
    const values = reading.values;
    let zs: MetricZ[] | null = null;
    for (const name in values) {
      const value = values[name];
      if (!Number.isFinite(value)) continue; // ingestion validates; never let NaN into a baseline
      const channels = baselines.get(name) ?? this.addChannels(deviceId, baselines, name);
      if (channels === undefined) continue;
      if (covered !== null && covered.includes(name)) {
        channels.learn(value);
        continue;
      }
      const z = channels.observe(value);
      if (z !== null) (zs ??= []).push({ name, z });
    }
    return zs === null ? null : new ZScoreWindow(zs);
  }

  /** The baselines take the reading in, unscored. */
  private learnOne({ deviceId, reading }: DeviceWindow): null {
    const baselines = this.baselinesOf(deviceId);
    const values = reading.values;
    for (const name in values) {
      const value = values[name];
      if (!Number.isFinite(value)) continue;
      (baselines.get(name) ?? this.addChannels(deviceId, baselines, name))?.learn(value);
    }
    return null;
  }

  /** A new metric's channels; undefined past MAX_METRICS_PER_DEVICE (counted). */
  private addChannels(
    deviceId: string,
    baselines: Map<string, MetricChannels>,
    name: string,
  ): MetricChannels | undefined {
    if (baselines.size >= MAX_METRICS_PER_DEVICE) {
      this.countSkipped(deviceId);
      return undefined;
    }
    const channels = new MetricChannels(this.learnReadings, this.threshold, this.likelihood);
    baselines.set(name, channels);
    return channels;
  }

  private baselinesOf(deviceId: string): Map<string, MetricChannels> {
    let baselines = this.devices.get(deviceId);
    if (baselines === undefined) {
      baselines = new Map();
      this.devices.set(deviceId, baselines);
    }
    return baselines;
  }

  private countSkipped(deviceId: string): void {
    detectorMetricsSkipped.inc();
    if (this.warnedDevices.has(deviceId)) return; // once per device: the counter carries the rest
    this.warnedDevices.add(deviceId);
    this.logger.warn(
      `device ${deviceId} sends more than ${MAX_METRICS_PER_DEVICE} distinct metrics; the extra ones are not scored`,
    );
  }
}

interface MetricZ {
  name: string;
  z: number;
}

/**
 * A scored reading. Its contributions are worked out only when asked for: almost every reading
 * is quiet, and EpisodeTracker reads them only for windows over the threshold or in an episode.
 */
class ZScoreWindow implements WindowScore {
  readonly score: number;
  source?: WindowScore['source'];
  private shares: WindowScore['contributions'] | undefined;

  constructor(private readonly zs: MetricZ[]) {
    let maxZ = 0;
    for (const { z } of zs) maxZ = Math.max(maxZ, z);
    this.score = maxZ;
  }

  get contributions(): WindowScore['contributions'] {
    return (this.shares ??= contributionsOf(this.zs));
  }
}

function contributionsOf(zs: MetricZ[]): WindowScore['contributions'] {
  let sumSquares = 0;
  for (const { z } of zs) sumSquares += z * z;
  const contributions = zs.map(({ name, z }) => ({
    name,
    // All-zero deviations (a reading exactly on the baseline): share equally so the sum stays 1.
    contribution: sumSquares > 0 ? (z * z) / sumSquares : 1 / zs.length,
  }));
  contributions.sort((a, b) => b.contribution - a.contribution || a.name.localeCompare(b.name));
  return contributions;
}
