import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { AnomalyEvent, Topics } from '@iag/contracts';
import { BrokerService } from '@iag/broker';
import { DetectionService } from '@iag/detection';
import { AnomalyEventLog, AnomalyRepository } from '@iag/storage';
import { AlertBacklog, eventsToPublish, PendingAlert } from './alert-backlog';
import { alertFailures, alertsPublished } from './ingestion.metrics';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

/**
 * Turns detection's anomaly events into stored anomalies, entries of the ordered event log (the
 * SSE stream and its ids), QoS1 messages on alerts/{deviceId} and webhook deliveries. A step that
 * fails does not stop the others: an operator still hears of an anomaly InfluxDB could not store.
 * At start it hands the episodes an earlier run left open back to detection, so a restart (or a
 * crash) does not alert on the same ongoing anomaly a second time.
 */
@Injectable()
export class AlertRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AlertRelay.name);
  private subscription?: Subscription;
  /** One anomaly at a time, so an 'updated' never lands before its 'opened'; bounded per anomaly. */
  private readonly backlog = new AlertBacklog();
  private relaying: Promise<void> | undefined;

  constructor(
    private readonly detection: DetectionService,
    private readonly anomalies: AnomalyRepository,
    private readonly eventLog: AnomalyEventLog,
    private readonly broker: BrokerService,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscription = this.detection.events.subscribe((event) => {
      this.backlog.push(event);
      this.kick();
    });
    await this.restoreOpenEpisodes();
  }

  /** Resolves when every event received so far is stored and published. */
  async drain(): Promise<void> {
    while (this.relaying) await this.relaying;
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.drain();
  }

  private kick(): void {
    this.relaying ??= this.relayAll().finally(() => {
      this.relaying = undefined;
      if (this.backlog.size > 0) this.kick();
    });
  }

  private async relayAll(): Promise<void> {
    for (let next = this.backlog.shift(); next; next = this.backlog.shift()) {
      await this.relay(next);
    }
  }

  /** Runs before the broker listens, so no reading is scored against a blank episode state. */
  private async restoreOpenEpisodes(): Promise<void> {
    try {
      const restored = this.detection.restoreEpisodes(await this.anomalies.openEpisodes());
      if (restored > 0) this.logger.log(`resumed ${restored} open anomaly episode(s)`);
    } catch (error) {
      this.logger.warn(
        `open episodes not resumed (a still-ongoing anomaly may alert again): ${(error as Error).message}`,
      );
    }
  }

  private async relay(pending: PendingAlert): Promise<void> {
    const { event: latest, isNew } = pending;
    const stored = await this.step(latest, 'store', () =>
      this.anomalies.recordEpisode(latest.anomaly, isNew),
    );
    for (const detected of eventsToPublish(pending)) {
      const event = stored ? await this.withOperatorStatus(detected) : detected;
      await this.announce(event, stored !== undefined);
    }
  }

  /** Event log (SSE), alerts/{deviceId} and webhooks. */
  private async announce(event: AnomalyEvent, stored: boolean): Promise<void> {
    const { anomaly } = event;
    const logged = await this.step(event, 'log', () => this.eventLog.append(event));
    const payload = JSON.stringify(logged ?? event);
    const published = await this.step(event, 'publish', () =>
      this.broker.publish(Topics.alerts(anomaly.deviceId), payload, 1),
    );
    if (logged) this.webhooks.enqueue(logged);
    if (stored && published !== undefined) alertsPublished.inc({ type: event.type });
    if (event.type === 'opened') {
      this.logger.log(
        `anomaly opened on ${anomaly.deviceId}: score ${anomaly.peakScore} (${anomaly.metrics[0]?.name ?? '?'})`,
      );
    }
  }

  /**
   * Detection knows nothing of operators: an update or close of an anomaly someone acknowledged
   * carries the stored status, so subscribers do not see it fall back to 'open'.
   */
  private async withOperatorStatus(event: AnomalyEvent): Promise<AnomalyEvent> {
    if (event.type === 'opened') return event;
    const current = await this.anomalies.get(event.anomaly.id).catch(() => null);
    if (!current || current.status === 'open') return event;
    const { status, acknowledgedBy, acknowledgedAt, resolvedBy, resolvedAt } = current;
    return {
      ...event,
      anomaly: { ...event.anomaly, status, acknowledgedBy, acknowledgedAt, resolvedBy, resolvedAt },
    };
  }

  /** Runs one relay step; undefined when it failed (logged and counted). */
  private async step<T>(
    event: AnomalyEvent,
    step: 'store' | 'log' | 'publish',
    run: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return (await run()) ?? (true as T);
    } catch (error) {
      alertFailures.inc({ step });
      this.logger.error(
        `anomaly ${event.anomaly.id} ${event.type}: ${step} failed: ${(error as Error).message}`,
      );
      return undefined;
    }
  }
}
