import { Logger } from '@nestjs/common';
import { ErrorNotice, Topics, telemetryTopicDevice } from '@iag/contracts';
import type { AedesPublishPacket, Client, PublishPacket, Subscription } from '../aedes.types';
import { TopicAcl } from '../acl/topic-acl';
import { BrokerException, BrokerExceptionCode } from '../broker.exception';
import { TelemetrySink, TelemetrySinkResult } from '../broker.constants';
import {
  mqttMessagesReceived,
  mqttPublishDenied,
  mqttSubscribeDenied,
  mqttTelemetryDropped,
  mqttThrottled,
} from '../broker.metrics';
import { DeviceRateLimiter } from '../limits/device-rate-limiter';
import { IngestLoad } from '../limits/ingest-load';
import { forwardsToBackedUpReader } from '../limits/slow-subscriber';
import { SessionRegistry } from '../sessions/session-registry';
import { ThrottledWarning } from './throttled-warning';

/** At most this many error notices go back for one message; the last one says how many were left out. */
const MAX_NOTICES_PER_MESSAGE = 10;

/**
 * Where a message no subscriber may see (nothing of it was kept) is sent: aedes publishes every
 * authorized message, and one queued for delivery only to be filtered out later still costs
 * memory (under a flood, most of it). `$` topics cannot be subscribed to (TopicAcl), so aedes
 * finds no subscriber and is done with it at once. Rewriting the packet in authorizePublish is
 * what aedes's docs show (docs/Aedes.md, authorizePublish).
 */
export const DISCARDED_TOPIC = '$iag/discarded';

function discard(packet: PublishPacket): void {
  packet.topic = DISCARDED_TOPIC;
  packet.retain = false;
}

export type PublishInternal = (topic: string, payload: string, qos: 0 | 1) => void;

/**
 * The aedes hooks that decide what a session may publish and subscribe to. Telemetry is handed to the sink
 * inside authorizePublish because aedes sends the QoS1 PUBACK right after it: the sink's promise is the ack.
 */
export class PublishHooks {
  private readonly logger = new Logger(PublishHooks.name);
  private readonly warnings = new ThrottledWarning(this.logger);
  private readonly load = new IngestLoad();

  constructor(
    private readonly sink: TelemetrySink,
    private readonly sessions: SessionRegistry,
    private readonly acl: TopicAcl,
    private readonly publishInternal: PublishInternal,
    private readonly rates: DeviceRateLimiter,
  ) {}

  authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
  ): void {
    const principal = this.sessions.principalOf(client);
    if (!principal || !this.acl.canPublish(principal, packet.topic)) {
      mqttPublishDenied.inc();
      const who = principal?.deviceId ?? 'unidentified session';
      this.warnings.warn(
        `deny:${who}`,
        `publish denied: ${who} may not publish to ${packet.topic.slice(0, 200)}`,
      );
      const code = packet.topic.startsWith('$')
        ? BrokerExceptionCode.SYS_TOPIC_RESERVED
        : BrokerExceptionCode.TOPIC_FORBIDDEN;
      // MQTT 3.1.1 has no negative PUBACK: closing the connection is the only refusal a client can notice.
      return done(
        new BrokerException(code, `publish to ${packet.topic.slice(0, 200)} is not allowed`),
      );
    }
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (packet.qos === 0) {
      if (this.rates.tryTake(principal.deviceId, payload.length)) {
        return this.ingest(packet, payload, done);
      }
      mqttTelemetryDropped.inc({ reason: 'rate_limit' });
      discard(packet);
      return done(null);
    }
    const hold = this.rates.delayFor(principal.deviceId, payload.length);
    if (hold <= 0) return this.ingest(packet, payload, done);
    mqttThrottled.inc();
    setTimeout(() => this.ingest(packet, payload, done), hold);
  }

  /** Hands telemetry to the sink; `done` (and with it the PUBACK) waits for the sink's answer. */
  private ingest(packet: PublishPacket, payload: Buffer, done: (error?: Error | null) => void) {
    const deviceId = telemetryTopicDevice(packet.topic);
    if (deviceId === null) return done(null);
    if (!this.load.enter(packet.qos)) {
      discard(packet);
      return done(null);
    }
    const qos = packet.qos === 0 ? 0 : 1;
    this.sink.accept(deviceId, payload, Date.now(), qos).then(
      (result) => {
        this.load.leave();
        mqttMessagesReceived.inc({ outcome: outcomeOf(result) });
        if (result.accepted === 0) discard(packet);
        if (result.notices.length > 0) this.reportRejections(deviceId, result.notices);
        done(null);
      },
      (error: unknown) => {
        this.load.leave();
        // No PUBACK: the device keeps the message and sends it again after reconnecting.
        mqttMessagesReceived.inc({ outcome: 'failed' });
        this.warnings.warn(
          `sink:${deviceId}`,
          `telemetry from ${deviceId} not accepted: ${(error as Error).message}`,
        );
        done(error as Error);
      },
    );
  }

  authorizeSubscribe(
    client: Client | null,
    sub: Subscription,
    done: (e: Error | null, s?: Subscription | null) => void,
  ): void {
    const principal = this.sessions.principalOf(client);
    if (principal && this.acl.canSubscribe(principal, sub.topic)) return done(null, sub);
    mqttSubscribeDenied.inc();
    // A null subscription makes aedes answer 0x80 (Failure) for this filter [MQTT 3.1.1 section 3.9.3].
    done(null, null);
  }

  authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    return forwardsToBackedUpReader(client, packet) ? null : packet;
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

function outcomeOf(result: TelemetrySinkResult): string {
  if (result.dropped > 0) return result.accepted > 0 ? 'partial' : 'dropped';
  if (result.notices.length === 0) return 'accepted';
  return result.accepted > 0 ? 'partial' : 'rejected';
}
