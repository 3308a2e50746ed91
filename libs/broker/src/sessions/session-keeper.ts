import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { Client } from '../aedes.types';
import { describePrincipal, MqttPrincipal, principalKey } from '../auth/mqtt-principal';
import { mqttSessionQueueDropped, mqttSessionsEnded, reportSessions } from '../broker.metrics';
import type { TelemetryAudience } from '../hooks/telemetry-audience';
import { ThrottledWarning } from '../hooks/throttled-warning';
import { PersistentSessions } from './persistent-sessions';
import type { SessionRegistry } from './session-registry';
import { createSessionStore, SessionStore } from './session-persistence';

export interface SessionSettings {
  maxQueuedMessages: number;
  expiryMs: number;
  maxPerPrincipal: number;
}

type EndReason = 'expired' | 'evicted' | 'revoked';

/** setTimeout's longest delay; a later expiry is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The life of persistent (CleanSession=0) sessions beyond what aedes does by itself: each one's
 * queue is bounded (session-persistence.ts), a principal holds at most a few, one that stays away
 * past the expiry ends with its client id's ownership, and revoking a device or key ends its own.
 * Ending one deletes all aedes kept for it (MQTT 3.1.1 section 3.1.2.4: session state).
 */
export class SessionKeeper {
  private readonly logger = new Logger(SessionKeeper.name);
  private readonly warnings = new ThrottledWarning(this.logger);
  private readonly ledger: PersistentSessions;
  readonly store: SessionStore;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private readonly stopReporting: () => void;

  constructor(
    private readonly settings: SessionSettings,
    private readonly registry: SessionRegistry,
    private readonly audience: TelemetryAudience,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ledger = new PersistentSessions(settings);
    this.store = createSessionStore(settings.maxQueuedMessages, (clientId) =>
      this.dropped(clientId),
    );
    if (!this.store.bounded) {
      this.logger.warn(
        `aedes-persistence ${this.store.version} is not the 11.x the session queue bound was written ` +
          'for: persistent sessions queue without MQTT_MAX_QUEUED_MESSAGES (expiry, the per-principal ' +
          'limit and revocation still apply)',
      );
    }
    this.stopReporting = reportSessions(() => ({
      sessions: this.ledger.size,
      queued: this.store.queuedMessages(),
    }));
  }

  /** False when the client id belongs to another principal's live or persistent session. */
  mayUseClientId(clientId: string, principal: MqttPrincipal): boolean {
    const key = principalKey(principal);
    const live = this.registry.liveOwnerOf(clientId);
    const held = this.ledger.ownerOf(clientId);
    return (live === undefined || live === key) && (held === undefined || held === key);
  }

  /**
   * A CONNECT with CleanSession=0 whose client id the principal may use: resumes its session, or
   * starts one when the principal holds fewer than the limit, or after ending its least recently
   * used one that is away. False when all it holds are connected.
   */
  admit(clientId: string, principal: MqttPrincipal): boolean {
    const admission = this.ledger.admit(clientId, principalKey(principal), this.now());
    if (!admission.admitted) return false;
    if (admission.evicted !== undefined) {
      this.logger.log(
        `persistent session ${admission.evicted} of ${describePrincipal(principal)} ended to make room (MQTT_MAX_SESSIONS_PER_PRINCIPAL)`,
      );
      void this.discard(admission.evicted, 'evicted');
    }
    this.arm();
    return true;
  }

  /** aedes's clientReady. A clean session has discarded any persistent one of its id [MQTT-3.1.2-6]. */
  ready(client: Client): void {
    if (client.clean) {
      if (this.ledger.end(client.id)) this.audience.forgetSession(client.id);
      return;
    }
    if (this.ledger.connected(client.id)) return;
    // Its place was taken while it connected (another CONNECT of the principal evicted it): it
    // asks again, and without a place it is closed, so no session lives outside the bounds.
    const principal = this.registry.principalOf(client);
    if (principal && this.admit(client.id, principal)) this.ledger.connected(client.id);
    else client.close();
  }

  /** aedes's clientDisconnect: a persistent session starts its time away. */
  gone(client: Client): void {
    if (client.clean || this.registry.hasLive(client.id)) return;
    this.ledger.disconnected(client.id, this.now());
    this.arm();
  }

  /** Deletes every persistent session of a principal key (after its live ones were closed). */
  async revoke(key: string): Promise<number> {
    const ended = this.ledger.endAllOf(key);
    await Promise.all(ended.map((clientId) => this.discard(clientId, 'revoked')));
    return ended.length;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopReporting();
  }

  private async discard(clientId: string, reason: EndReason): Promise<void> {
    mqttSessionsEnded.inc({ reason });
    this.audience.forgetSession(clientId);
    await this.store.forget(clientId);
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    for (const clientId of this.ledger.expire(this.now())) void this.discard(clientId, 'expired');
    this.arm();
  }

  /** One timer, for the session that ends first. */
  private arm(): void {
    const next = this.ledger.nextExpiry();
    if (next === undefined || (this.timer && this.armedFor <= next)) return;
    clearTimeout(this.timer);
    this.armedFor = next;
    const delay = Math.min(Math.max(0, next - this.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.expire(), delay).unref();
  }

  private dropped(clientId: string): void {
    mqttSessionQueueDropped.inc();
    const owner = this.ledger.ownerOf(clientId) ?? 'a clean session';
    this.warnings.warn(
      `queue:${clientId}`,
      `session ${clientId} (${owner}) has ${this.settings.maxQueuedMessages} unacknowledged messages ` +
        '(MQTT_MAX_QUEUED_MESSAGES): its oldest are dropped',
    );
  }
}
