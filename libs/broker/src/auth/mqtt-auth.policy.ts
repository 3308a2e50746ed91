import { Logger } from '@nestjs/common';
import type { AuthenticateError, Client, ConnectPacket } from '../aedes.types';
import { TopicAcl } from '../acl/topic-acl';
import { BrokerException, BrokerExceptionCode, ConnackCode } from '../broker.exception';
import {
  mqttConnectDelaySeconds,
  mqttConnectRefused,
  mqttConnectThrottled,
} from '../broker.metrics';
import type { ConnectionInfos } from '../listeners/connection-info';
import type { SessionKeeper } from '../sessions/session-keeper';
import { SessionRegistry } from '../sessions/session-registry';
import { ThrottledWarning } from '../hooks/throttled-warning';
import { clientIdOwner } from './client-id-owner';
import { ConnectThrottle } from './connect-throttle';
import { CheckOutcome, CredentialCheck, Refusal } from './credential-check';
import { describePrincipal, MqttPrincipal } from './mqtt-principal';

type Done = (error: AuthenticateError | null, success: boolean | null) => void;
type Will = NonNullable<ConnectPacket['will']>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The CONNECT decision: client identifier rules, the failure throttle, credentials (certificate, token
 * or API key), client id ownership and the will message. Answers through CONNACK codes only.
 */
export class MqttAuthPolicy {
  private readonly logger = new Logger(MqttAuthPolicy.name);
  private readonly warnings = new ThrottledWarning(this.logger);
  /** Sessions whose CONNECT carried a zero-byte client id with CleanSession=0 (aedes would invent an id). */
  private readonly emptyPersistentIds = new WeakSet<Client>();
  private readonly wills = new WeakMap<Client, Will>();

  constructor(
    private readonly credentials: CredentialCheck,
    private readonly sessions: SessionRegistry,
    private readonly keeper: SessionKeeper,
    private readonly acl: TopicAcl,
    private readonly throttle: ConnectThrottle,
    private readonly connections: ConnectionInfos,
  ) {}

  preConnect(
    client: Client,
    packet: ConnectPacket,
    done: (e: Error | null, ok: boolean) => void,
  ): void {
    if (!packet.clientId && packet.clean === false) this.emptyPersistentIds.add(client);
    if (packet.will) this.wills.set(client, packet.will);
    done(null, true);
  }

  authenticate(
    client: Client,
    username: Readonly<string | undefined>,
    password: Readonly<Buffer | undefined>,
    done: Done,
  ): void {
    this.decide(client, username, password).then(
      (outcome) => {
        if ('refusal' in outcome) return this.refuse(done, outcome.refusal);
        this.sessions.identify(client, outcome.principal);
        done(null, true);
      },
      (error: unknown) => {
        this.logger.error(`credential check failed: ${(error as Error).message}`);
        this.refuse(done, {
          reason: 'server_unavailable',
          code: BrokerExceptionCode.NOT_AUTHORIZED,
          returnCode: ConnackCode.SERVER_UNAVAILABLE,
          failure: false,
        });
      },
    );
  }

  private async decide(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<CheckOutcome> {
    // MQTT-3.1.3-8: a zero-byte ClientId with CleanSession=0 gets CONNACK 0x02 and the connection is closed.
    if (this.emptyPersistentIds.has(client)) {
      return { refusal: identifierRejected('empty_client_id') };
    }
    const info = this.connections.of(client);
    const address = info?.address ?? 'unknown';
    const device = CredentialCheck.claimedDevice(username, info?.tls);
    await this.holdBack(address, device);
    const outcome = await this.credentials.check(client.id, username, password, info?.tls);
    if ('refusal' in outcome) {
      if (outcome.refusal.failure) this.throttle.recordFailure(address, device);
      this.logger.debug(
        `CONNECT refused (${outcome.refusal.reason}) from ${address}${device ? ` for ${device}` : ''}`,
      );
      return outcome;
    }
    this.throttle.recordSuccess(device);
    return this.sessionRules(client, outcome.principal);
  }

  /** Waits out the delay earned by earlier failures from this address or for this device. */
  private async holdBack(address: string, device: string | undefined): Promise<void> {
    const { ms, scopes } = this.throttle.delayFor(address, device);
    if (ms === 0) return;
    scopes.forEach((scope) => mqttConnectThrottled.inc({ scope }));
    mqttConnectDelaySeconds.inc(ms / 1000);
    await sleep(ms);
  }

  /** Rules that need the principal: whose client id this is, and where its will may go. */
  private sessionRules(client: Client, principal: MqttPrincipal): CheckOutcome {
    // MQTT-3.1.3-9 (CONNACK 0x02, section 3.2.2.3): the server may reject a client id. A provisioned
    // device's id, and its id followed by `-`, are that device's alone: taking one with
    // CleanSession=0 would lock the device out of its own session.
    const owner = clientIdOwner(client.id, (id) => this.credentials.isProvisioned(id));
    if (owner !== undefined && !(principal.kind === 'device' && principal.deviceId === owner)) {
      this.warnClientId(principal, `the client id of device ${owner}`);
      return { refusal: identifierRejected('client_id_reserved') };
    }
    // One held by another principal (live or persistent session) is never taken over.
    if (!this.keeper.mayUseClientId(client.id, principal)) {
      this.warnClientId(principal, 'a client id held by another principal');
      return { refusal: identifierRejected('client_id_taken') };
    }
    const will = this.wills.get(client);
    // MQTT-3.1.2-8: an accepted will must be published later, so a will the principal could not publish
    // (topic outside its ACL, or QoS 2) is refused now rather than dropped at disconnect.
    if (will && ((will.qos ?? 0) > 1 || !this.acl.canPublish(principal, will.topic))) {
      return { refusal: notAuthorized('will_forbidden') };
    }
    // Decided last, as it records the session. MQTT 3.1.1 has no quota code: 0x05 says retrying will not help.
    if (!client.clean && !this.keeper.admit(client.id, principal)) {
      this.warnings.warn(
        `sessions:${describePrincipal(principal)}`,
        `CONNECT refused (0x05): ${describePrincipal(principal)} already holds MQTT_MAX_SESSIONS_PER_PRINCIPAL connected persistent sessions`,
      );
      return { refusal: notAuthorized('too_many_sessions') };
    }
    return { principal };
  }

  private warnClientId(principal: MqttPrincipal, what: string): void {
    const who = describePrincipal(principal);
    this.warnings.warn(`client-id:${who}`, `CONNECT refused (0x02): ${who} used ${what}`);
  }

  private refuse(done: Done, refusal: Refusal): void {
    mqttConnectRefused.inc({ reason: refusal.reason });
    done(
      new BrokerException(
        refusal.code,
        `connection refused: ${refusal.reason}`,
        refusal.returnCode,
      ) as AuthenticateError,
      false,
    );
  }
}

/** A session rule's refusal (0x02 or 0x05): not a wrong secret, so the failure throttle does not count it. */
function ruleRefusal(reason: string, returnCode: number): Refusal {
  const code =
    returnCode === ConnackCode.IDENTIFIER_REJECTED
      ? BrokerExceptionCode.IDENTIFIER_REJECTED
      : BrokerExceptionCode.NOT_AUTHORIZED;
  return { reason, code, returnCode, failure: false };
}

const identifierRejected = (reason: string) => ruleRefusal(reason, ConnackCode.IDENTIFIER_REJECTED);
const notAuthorized = (reason: string) => ruleRefusal(reason, ConnackCode.NOT_AUTHORIZED);
