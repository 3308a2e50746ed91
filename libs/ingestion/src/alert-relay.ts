import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { Topics } from '@iag/contracts';
import { BrokerService } from '@iag/broker';
import { DetectionService } from '@iag/detection';
import { AnomalyRepository } from '@iag/storage';
import { AlertBacklog, eventsToPublish, PendingAlert } from './alert-backlog';
import { alertFailures, alertsPublished } from './ingestion.metrics';

/**
 * Turns detection's anomaly events into stored anomalies and QoS1 messages on alerts/{deviceId}.
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
    private readonly broker: BrokerService,
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
    const { anomaly } = pending.event;
    try {
      await this.anomalies.recordEpisode(anomaly, pending.isNew);
      for (const event of eventsToPublish(pending)) {
        await this.broker.publish(Topics.alerts(anomaly.deviceId), JSON.stringify(event), 1);
        alertsPublished.inc({ type: event.type });
        if (event.type === 'opened') {
          this.logger.log(
            `anomaly opened on ${anomaly.deviceId}: score ${anomaly.peakScore} (${anomaly.metrics[0]?.name ?? '?'})`,
          );
        }
      }
    } catch (error) {
      alertFailures.inc();
      this.logger.error(
        `anomaly ${anomaly.id} ${pending.event.type} not relayed: ${(error as Error).message}`,
      );
    }
  }
}
