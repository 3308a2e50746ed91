import type { Client } from '../aedes.types';
import { deviceKey, MqttPrincipal, principalKey, serviceKey } from '../auth/mqtt-principal';

/**
 * Which principal holds which live MQTT sessions (a device or key may hold several, with different client
 * ids), and which live session has each client id. Who holds a persistent session while it is away is
 * kept by PersistentSessions (session-keeper.ts).
 */
export class SessionRegistry {
  private readonly principals = new WeakMap<Client, MqttPrincipal>();
  private readonly byKey = new Map<string, Set<Client>>();
  /** client id -> its live session. */
  private readonly live = new Map<string, Client>();

  /** Called from authenticate, before the session is live. */
  identify(client: Client, principal: MqttPrincipal): void {
    this.principals.set(client, principal);
  }

  principalOf(client: Client | null): MqttPrincipal | undefined {
    return client ? this.principals.get(client) : undefined;
  }

  /** The principal key of the live session with this client id, if one is connected. */
  liveOwnerOf(clientId: string): string | undefined {
    const client = this.live.get(clientId);
    const principal = client && this.principals.get(client);
    return principal && principalKey(principal);
  }

  hasLive(clientId: string): boolean {
    return this.live.has(clientId);
  }

  attach(client: Client): void {
    const principal = this.principals.get(client);
    if (!principal) return;
    const key = principalKey(principal);
    this.live.set(client.id, client);
    let clients = this.byKey.get(key);
    if (!clients) this.byKey.set(key, (clients = new Set()));
    clients.add(client);
  }

  detach(client: Client): void {
    const principal = this.principals.get(client);
    if (!principal) return;
    const key = principalKey(principal);
    const clients = this.byKey.get(key);
    clients?.delete(client);
    if (clients?.size === 0) this.byKey.delete(key);
    // A session that took the id over is live under it now.
    if (this.live.get(client.id) === client) this.live.delete(client.id);
  }

  clientsOf(deviceId: string): Client[] {
    return [...(this.byKey.get(deviceKey(deviceId)) ?? [])];
  }

  clientsOfKey(keyId: string): Client[] {
    return [...(this.byKey.get(serviceKey(keyId)) ?? [])];
  }

  isConnected(deviceId: string): boolean {
    return this.byKey.has(deviceKey(deviceId));
  }
}
