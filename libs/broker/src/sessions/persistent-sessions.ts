export interface SessionLimits {
  /** Persistent sessions one principal may hold, connected or not. */
  maxPerPrincipal: number;
  /** How long a disconnected session (and its client id's ownership) outlives its connection. */
  expiryMs: number;
}

export type Admission =
  /** `evicted`: the principal's least recently used disconnected session, ended to make room. */
  | { admitted: true; evicted?: string }
  /** Every session the principal holds is connected: none can make room. */
  | { admitted: false };

interface Held {
  owner: string;
  connected: boolean;
}

/**
 * Which principal holds which persistent (CleanSession=0) session, and when a disconnected one
 * ends. MQTT 3.1.1 section 3.1.2.4 keeps such a session after its connection closes and leaves
 * its lifetime to the server: here it ends `expiryMs` after it left, and a principal holds at
 * most `maxPerPrincipal`. Pure bookkeeping; the caller deletes what it is told has ended.
 */
export class PersistentSessions {
  private readonly sessions = new Map<string, Held>();
  private readonly byOwner = new Map<string, Set<string>>();
  /** Disconnected sessions and when they end, oldest first (one expiry for all keeps it sorted). */
  private readonly leaving = new Map<string, number>();

  constructor(private readonly limits: SessionLimits) {}

  /** Who holds the session of this client id (and so the id itself), if anyone. */
  ownerOf(clientId: string): string | undefined {
    return this.sessions.get(clientId)?.owner;
  }

  /**
   * A CONNECT with CleanSession=0 from `owner` (whose right to the client id is checked first).
   * Resuming a held session always succeeds. A new one is recorded at once, so two CONNECTs
   * racing cannot both take the last place; it counts as leaving until `connected`, so one
   * whose connection never completes still ends.
   */
  admit(clientId: string, owner: string, now: number): Admission {
    const held = this.sessions.get(clientId);
    if (held) {
      if (!held.connected) this.leave(clientId, now);
      return { admitted: true };
    }
    const mine = this.byOwner.get(owner);
    let evicted: string | undefined;
    if (mine && mine.size >= this.limits.maxPerPrincipal) {
      evicted = this.oldestLeaving(mine);
      if (evicted === undefined) return { admitted: false };
      this.end(evicted);
    }
    this.sessions.set(clientId, { owner, connected: false });
    this.ownedBy(owner).add(clientId);
    this.leave(clientId, now);
    return evicted === undefined ? { admitted: true } : { admitted: true, evicted };
  }

  /** False when the session is not held (it was ended while its CONNECT was under way). */
  connected(clientId: string): boolean {
    const held = this.sessions.get(clientId);
    if (!held) return false;
    held.connected = true;
    this.leaving.delete(clientId);
    return true;
  }

  disconnected(clientId: string, now: number): void {
    const held = this.sessions.get(clientId);
    if (!held) return;
    held.connected = false;
    this.leave(clientId, now);
  }

  /** Ends one session without being told to (a CleanSession=1 CONNECT discarded it). */
  end(clientId: string): boolean {
    const held = this.sessions.get(clientId);
    if (!held) return false;
    this.sessions.delete(clientId);
    this.leaving.delete(clientId);
    const mine = this.byOwner.get(held.owner)!;
    mine.delete(clientId);
    if (mine.size === 0) this.byOwner.delete(held.owner);
    return true;
  }

  /** Ends the disconnected sessions whose time is up; returns their client ids. */
  expire(now: number): string[] {
    const due: string[] = [];
    for (const [clientId, endsAt] of this.leaving) {
      if (endsAt > now) break;
      due.push(clientId);
    }
    due.forEach((clientId) => this.end(clientId));
    return due;
  }

  /** Ends every session of a principal (its device or key was revoked); returns their ids. */
  endAllOf(owner: string): string[] {
    const ids = [...(this.byOwner.get(owner) ?? [])];
    ids.forEach((clientId) => this.end(clientId));
    return ids;
  }

  /** When the next disconnected session ends, if any does. */
  nextExpiry(): number | undefined {
    for (const endsAt of this.leaving.values()) return endsAt;
    return undefined;
  }

  get size(): number {
    return this.sessions.size;
  }

  private leave(clientId: string, now: number): void {
    this.leaving.delete(clientId); // re-inserted last: the order stays by end time
    this.leaving.set(clientId, now + this.limits.expiryMs);
  }

  private oldestLeaving(ids: Set<string>): string | undefined {
    let oldest: string | undefined;
    let oldestEnd = Infinity;
    for (const clientId of ids) {
      const endsAt = this.leaving.get(clientId);
      if (endsAt !== undefined && endsAt < oldestEnd) [oldest, oldestEnd] = [clientId, endsAt];
    }
    return oldest;
  }

  private ownedBy(owner: string): Set<string> {
    let mine = this.byOwner.get(owner);
    if (!mine) this.byOwner.set(owner, (mine = new Set()));
    return mine;
  }
}
