import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { AnomalyEvent, Topics } from '@iag/contracts';
import { BrokerService } from '@iag/broker';
import { DetectionService } from '@iag/detection';
import { AnomalyRepository } from '@iag/storage';
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
  /** Events are applied one after another so an 'updated' never lands before its 'opened'. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly detection: DetectionService,
    private readonly anomalies: AnomalyRepository,
    private readonly broker: BrokerService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscription = this.detection.events.subscribe((event) => {
      this.chain = this.chain.then(() => this.relay(event));
    });
    await this.restoreOpenEpisodes();
  }

  /** Resolves when every event received so far is stored and published. */
  drain(): Promise<void> {
    return this.chain;
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.chain;
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

  private async relay(event: AnomalyEvent): Promise<void> {
    const { anomaly } = event;
    try {
      await this.anomalies.recordEpisode(anomaly, event.type === 'opened');
      await this.broker.publish(Topics.alerts(anomaly.deviceId), JSON.stringify(event), 1);
      alertsPublished.inc({ type: event.type });
      if (event.type === 'opened') {
        this.logger.log(
          `anomaly ${event.type} on ${anomaly.deviceId}: score ${anomaly.peakScore} (${anomaly.metrics[0]?.name ?? '?'})`,
        );
      }
    } catch (error) {
      alertFailures.inc();
      this.logger.error(
        `anomaly ${anomaly.id} ${event.type} not relayed: ${(error as Error).message}`,
      );
    }
  }
}
