import { Logger } from '@nestjs/common';
import { telemetryTopicDevice } from '@iag/contracts';
import type { AedesPublishPacket, Client, PublishPacket, Subscription } from '../aedes.types';
import { TopicAcl } from '../acl/topic-acl';
import { BrokerException, BrokerExceptionCode } from '../broker.exception';
import { mqttProtocolViolations, mqttPublishDenied, mqttSubscribeDenied } from '../broker.metrics';
import { describePrincipal, principalKey } from '../auth/mqtt-principal';
import { forwardsToBackedUpReader } from '../limits/slow-subscriber';
import { SessionRegistry } from '../sessions/session-registry';
import { AllowedTelemetry, Done, TelemetryAdmission } from './telemetry-admission';
import { TelemetryAudience } from './telemetry-audience';
import { ThrottledWarning } from './throttled-warning';

/**
 * The aedes hooks that decide what a session may publish and subscribe to. Telemetry is handed to the sink
 * inside authorizePublish because aedes sends the QoS1 PUBACK right after it: the sink's promise is the ack.
 * Once a session's telemetry topic is allowed, the telemetry lane (fast-path/telemetry-lane.ts) takes its
 * next messages past aedes, with the same admission.
 */
export class PublishHooks {
  private readonly logger = new Logger(PublishHooks.name);
  private readonly warnings = new ThrottledWarning(this.logger);
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
    private readonly admission: TelemetryAdmission,
    private readonly audience: TelemetryAudience,
    private readonly sessions: SessionRegistry,
    private readonly acl: TopicAcl,
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
    this.admission.admit(allowed, packet, done);
  }

  /**
   * The telemetry lane's question: what to ingest this PUBLISH as, when it needs no decision
   * aedes's path would make. That is a QoS 1, non-retained message to the telemetry topic the
   * session was already allowed (the first one goes through aedes and authorizePublish).
   * QoS 0 stays on aedes's path: under a QoS 0 flood with a subscriber the lane let twice as
   * many messages in, and V8's heap grew with them past the bound qos0-flood.int-spec.ts states.
   */
  laneTelemetry(client: Client, packet: PublishPacket): AllowedTelemetry | undefined {
    const allowed = this.telemetryOf.get(client);
    if (allowed === undefined || allowed.topic !== packet.topic) return undefined;
    return packet.qos === 1 && !packet.retain ? allowed : undefined;
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
    if (principal && this.acl.canSubscribe(principal, sub.topic)) {
      if (client) this.audience.grant(client, sub.topic);
      return done(null, sub);
    }
    mqttSubscribeDenied.inc();
    // A null subscription makes aedes answer 0x80 (Failure) for this filter [MQTT 3.1.1 section 3.9.3].
    done(null, null);
  }

  /** UNSUBSCRIBE gives the filters' room back. */
  forgetFilters(client: Client, filters: string[]): void {
    const asked = this.filtersAsked.get(client);
    filters.forEach((filter) => asked?.delete(filter));
    this.audience.forget(client, filters);
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
}
