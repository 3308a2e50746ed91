import type { Client } from '../aedes.types';
import { deviceKey, MqttPrincipal, principalKey, serviceKey } from '../auth/mqtt-principal';

/**
 * Which principal holds which live MQTT sessions (a device or key may hold several, with different client
 * ids), and which principal owns each client id, so one principal cannot take over another's session.
 */
export class SessionRegistry {
  private readonly principals = new WeakMap<Client, MqttPrincipal>();
  private readonly byKey = new Map<string, Set<Client>>();
  /** client id -> principal key, for live sessions and for persistent (CleanSession=0) ones. */
  private readonly owners = new Map<string, string>();

  /** Called from authenticate, before the session is live. */
  identify(client: Client, principal: MqttPrincipal): void {
    this.principals.set(client, principal);
  }

  principalOf(client: Client | null): MqttPrincipal | undefined {
    return client ? this.principals.get(client) : undefined;
  }

  /** False when the client id belongs to a session of another principal (live or persistent). */
  mayUseClientId(clientId: string, principal: MqttPrincipal): boolean {
    const owner = this.owners.get(clientId);
    return owner === undefined || owner === principalKey(principal);
  }

  attach(client: Client): void {
    const principal = this.principals.get(client);
    if (!principal) return;
    const key = principalKey(principal);
    this.owners.set(client.id, key);
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
    // A persistent session outlives its connection, and so does its owner; so does a session that took over.
    const stillLive = [...(clients ?? [])].some((other) => other.id === client.id);
    if (client.clean && !stillLive && this.owners.get(client.id) === key)
      this.owners.delete(client.id);
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
