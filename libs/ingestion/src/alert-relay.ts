import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { AnomalyEvent, Topics } from '@iag/contracts';
import { BrokerService } from '@iag/broker';
import { DetectionService } from '@iag/detection';
import { AnomalyEventLog, AnomalyRepository } from '@iag/storage';
import { alertFailures, alertsPublished } from './ingestion.metrics';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

/**
 * Turns detection's anomaly events into stored anomalies, entries of the ordered event log (the
 * SSE stream and its ids), QoS1 messages on alerts/{deviceId} and webhook deliveries. A step that
 * fails does not stop the others: an operator still hears of an anomaly InfluxDB could not store.
 */
@Injectable()
export class AlertRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AlertRelay.name);
  private subscription?: Subscription;
  /** Events are applied one after another so an 'updated' never lands before its 'opened'. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly detection: DetectionService,
    private readonly anomalies: AnomalyRepository,
    private readonly eventLog: AnomalyEventLog,
    private readonly broker: BrokerService,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  onModuleInit(): void {
    this.subscription = this.detection.events.subscribe((event) => {
      this.chain = this.chain.then(() => this.relay(event));
    });
  }

  /** Resolves when every event received so far is stored and published. */
  drain(): Promise<void> {
    return this.chain;
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.chain;
  }

  private async relay(detected: AnomalyEvent): Promise<void> {
    const stored = await this.step(detected, 'store', () =>
      this.anomalies.recordEpisode(detected.anomaly, detected.type === 'opened'),
    );
    const event = stored ? await this.withOperatorStatus(detected) : detected;
    const { anomaly } = event;
    const logged = await this.step(event, 'log', () => this.eventLog.append(event));
    const payload = JSON.stringify(logged ?? event);
    const published = await this.step(event, 'publish', () =>
      this.broker.publish(Topics.alerts(anomaly.deviceId), payload, 1),
    );
    if (logged) this.webhooks.enqueue(logged);
    if (stored !== undefined && published !== undefined) alertsPublished.inc({ type: event.type });
    if (event.type === 'opened') {
      this.logger.log(
        `anomaly ${event.type} on ${anomaly.deviceId}: score ${anomaly.peakScore} (${anomaly.metrics[0]?.name ?? '?'})`,
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
