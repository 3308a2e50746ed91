import { Logger } from '@nestjs/common';
import { ErrorNotice, Topics, telemetryTopicDevice } from '@iag/contracts';
import type { AedesPublishPacket, Client, PublishPacket, Subscription } from '../aedes.types';
import { TopicAcl } from '../acl/topic-acl';
import { BrokerException, BrokerExceptionCode } from '../broker.exception';
import { TelemetrySink, TelemetrySinkResult } from '../broker.constants';
import {
  mqttMessagesReceived,
  mqttProtocolViolations,
  mqttPublishDenied,
  mqttSubscribeDenied,
  mqttTelemetryDropped,
  mqttThrottled,
} from '../broker.metrics';
import { describePrincipal, principalKey } from '../auth/mqtt-principal';
import { DeviceRateLimiter } from '../limits/device-rate-limiter';
import { IngestLoad } from '../limits/ingest-load';
import { forwardsToBackedUpReader } from '../limits/slow-subscriber';
import { SessionRegistry } from '../sessions/session-registry';
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

type Done = (error?: Error | null) => void;

interface AllowedTelemetry {
  topic: string;
  deviceId: string;
  /** The rate limits' key (principalKey). */
  key: string;
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
  /** Topic filters each session has asked for (granted or not), against MQTT_MAX_SUBSCRIPTIONS. */
  private readonly filtersAsked = new WeakMap<Client, Set<string>>();
  private readonly overBudget = new WeakSet<Client>();
  /**
   * The telemetry topic a session was last allowed to publish to, with what ingesting it needs:
   * the ACL, the topic parse and the rate-limit key are then worked out once per session instead
   * of once per message (the rules and a session's principal do not change while it lives).
   */
  private readonly telemetryOf = new WeakMap<Client, AllowedTelemetry>();

  constructor(
    private readonly sink: TelemetrySink,
    private readonly sessions: SessionRegistry,
    private readonly acl: TopicAcl,
    private readonly publishInternal: PublishInternal,
    private readonly rates: DeviceRateLimiter,
    private readonly maxSubscriptions = Number.MAX_SAFE_INTEGER,
  ) {}

  authorizePublish(client: Client | null, packet: PublishPacket, done: Done): void {
    let allowed = client === null ? undefined : this.telemetryOf.get(client);
    if (allowed === undefined || allowed.topic !== packet.topic || packet.qos > 1) {
      const refusal = this.publishRefusal(client, packet);
      // MQTT-3.3.5-2: 3.1.1 has no negative PUBACK; closing the connection is the refusal a client notices.
      if (refusal) return done(refusal);
      const deviceId = telemetryTopicDevice(packet.topic);
      if (deviceId === null) return done(null);
      allowed = {
        topic: packet.topic,
        deviceId,
        key: principalKey(this.sessions.principalOf(client)!),
      };
      if (client !== null) this.telemetryOf.set(client, allowed);
    }
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

  authorizeSubscribe(
    client: Client | null,
    sub: Subscription,
    done: (e: Error | null, s?: Subscription | null) => void,
  ): void {
    if (client && !this.withinSubscriptionBudget(client, sub.topic)) {
      // One SUBSCRIBE reaches here once per filter: count and log the session once.
      if (!this.overBudget.has(client)) {
        this.overBudget.add(client);
        mqttProtocolViolations.inc({ reason: 'too_many_subscriptions' });
        this.warnings.warn(
          `subs:${client.id}`,
          `closing ${describePrincipal(this.sessions.principalOf(client))}: more than ${this.maxSubscriptions} topic filters`,
        );
      }
      return done(
        new BrokerException(
          BrokerExceptionCode.TOO_MANY_SUBSCRIPTIONS,
          `more than ${this.maxSubscriptions} topic filters`,
        ),
      );
    }
    const principal = this.sessions.principalOf(client);
    if (principal && this.acl.canSubscribe(principal, sub.topic)) return done(null, sub);
    mqttSubscribeDenied.inc();
    // A null subscription makes aedes answer 0x80 (Failure) for this filter [MQTT 3.1.1 section 3.9.3].
    done(null, null);
  }

  /** UNSUBSCRIBE gives the filters' room back. */
  forgetFilters(client: Client, filters: string[]): void {
    const asked = this.filtersAsked.get(client);
    filters.forEach((filter) => asked?.delete(filter));
  }

  authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    if (forwardsToBackedUpReader(client, packet)) return null;
    const principal = this.sessions.principalOf(client);
    return principal && !this.acl.canReceive(principal, packet.topic) ? null : packet;
  }

  private publishRefusal(client: Client | null, packet: PublishPacket): BrokerException | null {
    const principal = this.sessions.principalOf(client);
    const topic = packet.topic.slice(0, 200);
    if (principal && packet.qos > 1) {
      mqttPublishDenied.inc();
      return new BrokerException(
        BrokerExceptionCode.QOS_NOT_SUPPORTED,
        'QoS 2 is not served; use 0 or 1',
      );
    }
    if (principal && this.acl.canPublish(principal, packet.topic)) return null;
    mqttPublishDenied.inc();
    const who = describePrincipal(principal);
    this.warnings.warn(`deny:${who}`, `publish denied: ${who} may not publish to ${topic}`);
    const code = packet.topic.startsWith('$')
      ? BrokerExceptionCode.SYS_TOPIC_RESERVED
      : BrokerExceptionCode.TOPIC_FORBIDDEN;
    return new BrokerException(code, `publish to ${topic} is not allowed`);
  }

  private withinSubscriptionBudget(client: Client, filter: string): boolean {
    let asked = this.filtersAsked.get(client);
    if (!asked) this.filtersAsked.set(client, (asked = new Set()));
    if (asked.has(filter)) return true;
    if (asked.size >= this.maxSubscriptions) return false;
    asked.add(filter);
    return true;
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
