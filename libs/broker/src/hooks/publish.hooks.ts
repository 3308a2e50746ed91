import { Logger } from '@nestjs/common';
import { ErrorNotice, Topics, telemetryTopicDevice } from '@iag/contracts';
import type { AedesPublishPacket, Client, PublishPacket, Subscription } from '../aedes.types';
import { TopicAcl } from '../acl/topic-acl';
import { BrokerException, BrokerExceptionCode } from '../broker.exception';
import { TelemetrySink } from '../broker.constants';
import {
  mqttMessagesReceived,
  mqttProtocolViolations,
  mqttPublishDenied,
  mqttSubscribeDenied,
} from '../broker.metrics';
import { describePrincipal } from '../auth/mqtt-principal';
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
};

export type PublishInternal = (topic: string, payload: string, qos: 0 | 1) => void;

/**
 * The aedes hooks that decide what a session may publish and subscribe to. Telemetry is handed to the sink
 * inside authorizePublish because aedes sends the QoS1 PUBACK right after it: the sink's promise is the ack.
 */
export class PublishHooks {
  private readonly logger = new Logger(PublishHooks.name);
  private readonly warnings = new ThrottledWarning(this.logger);
  /** Payloads of messages whose every reading was rejected: acknowledged, but never forwarded. */
  private readonly rejectedPayloads = new WeakSet<Buffer>();
  /** Topic filters each session has asked for (granted or not), against MQTT_MAX_SUBSCRIPTIONS. */
  private readonly filtersAsked = new WeakMap<Client, Set<string>>();
  private readonly overBudget = new WeakSet<Client>();

  constructor(
    private readonly sink: TelemetrySink,
    private readonly sessions: SessionRegistry,
    private readonly acl: TopicAcl,
    private readonly publishInternal: PublishInternal,
    private readonly maxSubscriptions = Number.MAX_SAFE_INTEGER,
  ) {}

  authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    done: (error?: Error | null) => void,
  ): void {
    const refusal = this.publishRefusal(client, packet);
    // MQTT-3.3.5-2: 3.1.1 has no negative PUBACK; closing the connection is the refusal a client notices.
    if (refusal) return done(refusal);
    // MQTT-3.3.1-10: a zero-byte retained message clears the retained one; it is not a reading.
    if (packet.retain && packet.payload.length === 0) return done(null);
    const deviceId = telemetryTopicDevice(packet.topic);
    if (deviceId === null) return done(null);
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.sink.accept(deviceId, payload, Date.now()).then(
      (result) => {
        const outcome =
          result.notices.length === 0 ? 'accepted' : result.accepted > 0 ? 'partial' : 'rejected';
        received[outcome].inc();
        if (result.notices.length > 0)
          this.reportRejections(deviceId, payload, result.accepted, result.notices);
        done(null);
      },
      (error: unknown) => {
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
    if (Buffer.isBuffer(packet.payload) && this.rejectedPayloads.has(packet.payload)) return null;
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

  private reportRejections(
    deviceId: string,
    payload: Buffer,
    accepted: number,
    notices: ErrorNotice[],
  ): void {
    if (accepted === 0) this.rejectedPayloads.add(payload);
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
