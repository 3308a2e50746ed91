import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { backoffDelay, LoggedAnomalyEvent } from '@iag/storage';
import { setTimeout as sleep } from 'node:timers/promises';
import { webhookDeliveries, webhookQueueDepth } from '../ingestion.metrics';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature';

/** Events kept per URL while it is failing; beyond it the oldest are dropped (and counted). */
const MAX_QUEUED = 1000;

interface Delivery {
  seq: number;
  type: string;
  body: string;
  attempts: number;
}

interface Target {
  url: string;
  /** Only the origin is ever logged: a URL's path or query may carry a secret. */
  label: string;
  queue: Delivery[];
  running: boolean;
}

type Outcome = 'delivered' | 'retry' | 'failed';

/**
 * POSTs every anomaly event to the configured URLs: signed (HMAC-SHA256, see webhook-signature),
 * in order per URL, retried with capped exponential backoff on network errors, timeouts, 5xx,
 * 408 and 429, given up after WEBHOOK_MAX_ATTEMPTS or on another 4xx. Never blocks the relay.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly targets: Target[];
  private readonly settings: GatewayConfig['alerts']['webhooks'];
  private readonly closing = new AbortController();

  constructor(config: GatewayConfig) {
    this.settings = config.alerts.webhooks;
    this.targets = this.settings.urls.map((url) => ({
      url,
      label: new URL(url).origin,
      queue: [],
      running: false,
    }));
  }

  enqueue(event: LoggedAnomalyEvent): void {
    if (!this.targets.length || this.closing.signal.aborted) return;
    const body = JSON.stringify({
      id: String(event.seq),
      type: event.type,
      anomaly: event.anomaly,
    });
    for (const target of this.targets) {
      target.queue.push({ seq: event.seq, type: event.type, body, attempts: 0 });
      if (target.queue.length > MAX_QUEUED) {
        target.queue.shift();
        webhookDeliveries.inc({ outcome: 'dropped' });
      }
      void this.pump(target);
    }
    this.updateDepth();
  }

  onApplicationShutdown(): void {
    this.closing.abort();
  }

  private async pump(target: Target): Promise<void> {
    if (target.running) return;
    target.running = true;
    try {
      while (target.queue.length && !this.closing.signal.aborted) {
        const delivery = target.queue[0];
        const outcome = await this.attempt(target, delivery);
        if (outcome === 'retry' && delivery.attempts < this.settings.maxAttempts) {
          webhookDeliveries.inc({ outcome: 'retried' });
          const wait = backoffDelay(delivery.attempts - 1, {
            baseMs: this.settings.backoffMs,
            maxMs: 60 * this.settings.backoffMs,
          });
          await sleep(wait, undefined, { signal: this.closing.signal }).catch(() => undefined);
          continue;
        }
        webhookDeliveries.inc({ outcome: outcome === 'delivered' ? 'delivered' : 'failed' });
        if (outcome !== 'delivered') {
          this.logger.warn(
            `webhook ${target.label}: gave up on event ${delivery.seq} after ${delivery.attempts} attempt(s)`,
          );
        }
        target.queue.shift();
        this.updateDepth();
      }
    } finally {
      target.running = false;
    }
  }

  private async attempt(target: Target, delivery: Delivery): Promise<Outcome> {
    delivery.attempts++;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'iot-anomaly-gateway',
          [WEBHOOK_HEADERS.event]: delivery.type,
          [WEBHOOK_HEADERS.delivery]: String(delivery.seq),
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhook(this.settings.secret!, timestamp, delivery.body),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.any([
          AbortSignal.timeout(this.settings.timeoutMs),
          this.closing.signal,
        ]),
      });
      await response.body?.cancel();
      if (response.ok) return 'delivered';
      const retryable = response.status >= 500 || [408, 429].includes(response.status);
      this.logger.debug(
        `webhook ${target.label}: event ${delivery.seq} answered ${response.status}`,
      );
      return retryable ? 'retry' : 'failed';
    } catch (error) {
      this.logger.debug(
        `webhook ${target.label}: event ${delivery.seq}: ${(error as Error).message}`,
      );
      return 'retry';
    }
  }

  private updateDepth(): void {
    webhookQueueDepth.set(this.targets.reduce((n, t) => n + t.queue.length, 0));
  }
}
