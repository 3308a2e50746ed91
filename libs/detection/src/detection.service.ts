import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { GatewayConfig } from '@iag/config';
import { Anomaly, AnomalyEvent, Reading } from '@iag/contracts';
import {
  ANOMALY_DETECTOR,
  MAX_BATCH_READINGS,
  MAX_QUEUED_READINGS,
  SCORING_EAGER_AT,
  SCORING_TICK_MS,
} from './detection.constants';
import { DetectionException, DetectionExceptionCode } from './detection.exception';
import {
  anomaliesOpened,
  openEpisodes,
  readingsScored,
  readingsUnscored,
  scoringBatchSize,
  scoringDuration,
} from './detection.metrics';
import { BatchOutcome, DetectionPipeline } from './detection-pipeline';
import { AnomalyDetector } from './detector.port';
import { ScoringQueue } from './scoring.queue';

/** Overload is logged at most this often; the counter carries every dropped reading. */
const OVERLOAD_LOG_INTERVAL_MS = 10_000;

/**
 * Streaming detection: readings are queued, scored in micro-batches across devices (per device in
 * ts order), and turned into anomaly episodes. submit() never blocks or throws; every reading that
 * gets no score is counted by reason.
 */
@Injectable()
export class DetectionService implements OnModuleDestroy {
  private readonly logger = new Logger(DetectionService.name);
  private readonly subject = new Subject<AnomalyEvent>();
  /** opened / updated / closed, in the order the readings were scored. */
  readonly events: Observable<AnomalyEvent> = this.subject.asObservable();
  private readonly queue = new ScoringQueue(MAX_QUEUED_READINGS);
  private readonly pipeline: DetectionPipeline;
  /** Devices forgotten while a batch was in flight: their results from that batch are discarded. */
  private readonly forgottenInFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private running: Promise<void> | null = null;
  private scored = 0;
  private lastOverloadLog = 0;

  constructor(
    config: GatewayConfig,
    @Inject(ANOMALY_DETECTOR) private readonly detector: AnomalyDetector,
  ) {
    this.pipeline = new DetectionPipeline(detector, config.detector);
  }

  /**
   * Queues readings for scoring within ~20 ms (sooner under load). Never blocks, never throws.
   * `profile` (from provisioning) picks the model that scores the device.
   */
  submit(deviceId: string, readings: Reading[], profile: string | null = null): void {
    try {
      if (readings.length === 0) return;
      const dropped = this.queue.push(deviceId, readings, profile);
      if (dropped > 0) this.countOverload(dropped);
      this.schedule();
    } catch (error) {
      this.logger.error(`submit for ${deviceId} failed: ${(error as Error).message}`);
    }
  }

  /** Scores everything queued now, and waits for it (tests and shutdown). */
  async flush(): Promise<void> {
    this.cancelScheduled();
    while (this.running !== null || this.queue.size > 0) await this.runBatch();
    this.cancelScheduled(); // a batch that ended during the loop may have scheduled a now-idle run
  }

  /** Resumes episodes left open by an earlier run (see EpisodeTracker.restore); returns how many. */
  restoreEpisodes(anomalies: Anomaly[]): number {
    const restored = anomalies.filter((anomaly) => this.pipeline.restore(anomaly)).length;
    openEpisodes.set(this.pipeline.openEpisodes);
    return restored;
  }

  /** A revoked device: drops its queued readings and state, and closes its open episode. */
  forgetDevice(deviceId: string): void {
    try {
      const removed = this.queue.remove(deviceId);
      if (removed > 0) readingsUnscored.inc({ reason: 'forgotten' }, removed);
      if (this.running !== null) this.forgottenInFlight.add(deviceId);
      const closed = this.pipeline.forget(deviceId);
      if (closed !== null) this.emit(closed);
      openEpisodes.set(this.pipeline.openEpisodes);
    } catch (error) {
      this.logger.error(`forgetting ${deviceId} failed: ${(error as Error).message}`);
    }
  }

  stats(): { queued: number; scored: number; openEpisodes: number; detector: string } {
    return {
      queued: this.queue.size,
      scored: this.scored,
      openEpisodes: this.pipeline.openEpisodes,
      detector: this.detector.id,
    };
  }

  isReady(): boolean {
    return this.detector.isReady?.() ?? true;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  private schedule(): void {
    if (this.running !== null) return; // the batch in flight reschedules when it ends
    if (this.queue.size >= SCORING_EAGER_AT) {
      this.scheduleNow();
    } else if (this.timer === null && this.immediate === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.runBatch();
      }, SCORING_TICK_MS);
      this.timer.unref();
    }
  }

  private scheduleNow(): void {
    if (this.immediate !== null) return;
    this.cancelScheduled();
    this.immediate = setImmediate(() => {
      this.immediate = null;
      void this.runBatch();
    });
  }

  private cancelScheduled(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** Starts one batch unless one is in flight; batches never overlap, so per-device order holds. */
  private runBatch(): Promise<void> {
    if (this.running === null) {
      this.running = this.scoreNext().finally(() => {
        this.running = null;
        this.forgottenInFlight.clear();
        // What arrived meanwhile has already waited a whole batch: go again at once.
        if (this.queue.size > 0) this.scheduleNow();
      });
    }
    return this.running;
  }

  private async scoreNext(): Promise<void> {
    const queued = this.queue.take(MAX_BATCH_READINGS);
    if (queued.length === 0) return;
    scoringBatchSize.observe(queued.length);
    const stopTimer = scoringDuration.startTimer();
    try {
      const outcome = await this.pipeline.run(queued, this.forgottenInFlight);
      this.count(outcome, queued.length);
      for (const event of outcome.events) this.emit(event);
      for (const deviceId of this.forgottenInFlight) this.detector.forget(deviceId);
    } catch (error) {
      readingsUnscored.inc({ reason: 'error' }, queued.length);
      const code =
        error instanceof DetectionException ? error.code : DetectionExceptionCode.DETECTOR_FAILED;
      this.logger.error(
        `${code}: detector ${this.detector.id} left ${queued.length} readings unscored: ${(error as Error).message}`,
      );
    } finally {
      stopTimer();
      openEpisodes.set(this.pipeline.openEpisodes);
    }
  }

  private count(outcome: BatchOutcome, taken: number): void {
    const forgotten = taken - outcome.late - outcome.scored - outcome.learning;
    this.scored += outcome.scored;
    readingsScored.inc(outcome.scored);
    if (outcome.learning > 0) readingsUnscored.inc({ reason: 'learning' }, outcome.learning);
    if (outcome.late > 0) readingsUnscored.inc({ reason: 'late' }, outcome.late);
    if (forgotten > 0) readingsUnscored.inc({ reason: 'forgotten' }, forgotten);
  }

  private emit(event: AnomalyEvent): void {
    if (event.type === 'opened') anomaliesOpened.inc({ severity: event.anomaly.severity });
    this.subject.next(event);
  }

  private countOverload(dropped: number): void {
    readingsUnscored.inc({ reason: 'overload' }, dropped);
    const now = Date.now();
    if (now - this.lastOverloadLog < OVERLOAD_LOG_INTERVAL_MS) return;
    this.lastOverloadLog = now;
    this.logger.warn(
      `detection queue full (${MAX_QUEUED_READINGS} readings): dropped the ${dropped} oldest; scoring is not keeping up`,
    );
  }
}
