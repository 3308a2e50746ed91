import { Logger } from '@nestjs/common';
import { ErrorNotice, Topics } from '@iag/contracts';
import type { PublishPacket } from '../aedes.types';
import { discard } from '../fast-path';
import { TelemetrySink, TelemetrySinkResult } from '../broker.constants';
import { mqttMessagesReceived, mqttTelemetryDropped, mqttThrottled } from '../broker.metrics';
import { DeviceRateLimiter } from '../limits/device-rate-limiter';
import { IngestLoad } from '../limits/ingest-load';
import { ThrottledWarning } from './throttled-warning';

/** At most this many error notices go back for one message; the last one says how many were left out. */
const MAX_NOTICES_PER_MESSAGE = 10;

/** Bound once: a labelled inc() per message would hash its labels on every PUBLISH. */
const received = {
  accepted: mqttMessagesReceived.labels('accepted'),
  partial: mqttMessagesReceived.labels('partial'),
  rejected: mqttMessagesReceived.labels('rejected'),
  failed: mqttMessagesReceived.labels('failed'),
  dropped: mqttMessagesReceived.labels('dropped'),
};

export type Done = (error?: Error | null) => void;

/** What ingesting a session's telemetry needs, worked out once per session (PublishHooks). */
export interface AllowedTelemetry {
  topic: string;
  deviceId: string;
  /** The rate limits' key (principalKey). */
  key: string;
}

export type PublishInternal = (topic: string, payload: string, qos: 0 | 1) => void;

/**
 * Takes an authorized telemetry PUBLISH in: rate limits, the bound on messages in flight, then the
 * sink. `done` is the acknowledgement: it is called once the sink has the readings (or has turned
 * them away), and with an error when nothing may be acknowledged. A message of which nothing was
 * kept is rewritten to DISCARDED_TOPIC so that no subscriber sees it.
 */
export class TelemetryAdmission {
  private readonly logger = new Logger(TelemetryAdmission.name);
  private readonly warnings = new ThrottledWarning(this.logger);
  private readonly load = new IngestLoad();

  constructor(
    private readonly sink: TelemetrySink,
    private readonly rates: DeviceRateLimiter,
    private readonly publishInternal: PublishInternal,
  ) {}

  admit(allowed: AllowedTelemetry, packet: PublishPacket, done: Done): void {
    // MQTT-3.3.1-10: a zero-byte retained message clears the retained one; it is not a reading.
    if (packet.retain && packet.payload.length === 0) return done(null);
    const { deviceId, key } = allowed;
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (packet.qos === 0) {
      if (this.rates.tryTake(key, payload.length))
        return this.ingest(deviceId, packet, payload, done);
      mqttTelemetryDropped.inc({ reason: 'rate_limit' });
      discard(packet);
      return done(null);
    }
    // QoS 1 over the rate is held, not dropped: the PUBACK (and the device's next message) waits.
    const hold = this.rates.delayFor(key, payload.length);
    if (hold <= 0) return this.ingest(deviceId, packet, payload, done);
    mqttThrottled.inc();
    setTimeout(() => this.ingest(deviceId, packet, payload, done), hold);
  }

  /** Hands telemetry to the sink; `done` (and with it the PUBACK) waits for the sink's answer. */
  private ingest(deviceId: string, packet: PublishPacket, payload: Buffer, done: Done): void {
    if (!this.load.enter(packet.qos)) {
      discard(packet);
      return done(null);
    }
    const qos = packet.qos === 0 ? 0 : 1;
    this.sink.accept(deviceId, payload, Date.now(), qos).then(
      (result) => {
        this.load.leave();
        received[outcomeOf(result)].inc();
        if (result.accepted === 0) discard(packet);
        if (result.notices.length > 0) this.reportRejections(deviceId, result.notices);
        done(null);
      },
      (error: unknown) => {
        this.load.leave();
        // No PUBACK: the device keeps the message and sends it again after reconnecting.
        received.failed.inc();
        this.warnings.warn(
          `sink:${deviceId}`,
          `telemetry from ${deviceId} not accepted: ${(error as Error).message}`,
        );
        done(error as Error);
      },
    );
  }

  private reportRejections(deviceId: string, notices: ErrorNotice[]): void {
    this.warnings.warn(
      `reject:${deviceId}`,
      `rejected ${notices.length} reading(s) from ${deviceId}: ${notices[0].error}`,
    );
    const shown = notices.slice(0, MAX_NOTICES_PER_MESSAGE);
    const hidden = notices.length - shown.length;
    shown.forEach((notice, i) => {
      const last = i === shown.length - 1 && hidden > 0;
      const body = last
        ? { ...notice, detail: `${notice.detail} (and ${hidden} more rejected readings)` }
        : notice;
      this.publishInternal(Topics.errors(deviceId), JSON.stringify(body), 0);
    });
  }
}

function outcomeOf(result: TelemetrySinkResult): keyof typeof received {
  if (result.dropped > 0) return result.accepted > 0 ? 'partial' : 'dropped';
  if (result.notices.length === 0) return 'accepted';
  return result.accepted > 0 ? 'partial' : 'rejected';
}
