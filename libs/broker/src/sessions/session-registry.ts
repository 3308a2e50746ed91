import type { Client } from '../aedes.types';
import { MqttPrincipal } from '../acl/topic-acl';

/** Which device holds which live MQTT sessions; a device may hold several (different client ids). */
export class SessionRegistry {
  private readonly principals = new WeakMap<Client, MqttPrincipal>();
  private readonly byDevice = new Map<string, Set<Client>>();

  /** Called from authenticate, before the session is live. */
  identify(client: Client, principal: MqttPrincipal): void {
    this.principals.set(client, principal);
  }

  principalOf(client: Client | null): MqttPrincipal | undefined {
    return client ? this.principals.get(client) : undefined;
  }

  attach(client: Client): void {
    const principal = this.principals.get(client);
    if (!principal) return;
    let clients = this.byDevice.get(principal.deviceId);
    if (!clients) this.byDevice.set(principal.deviceId, (clients = new Set()));
    clients.add(client);
  }

  detach(client: Client): void {
    const principal = this.principals.get(client);
    if (!principal) return;
    const clients = this.byDevice.get(principal.deviceId);
    if (!clients) return;
    clients.delete(client);
    if (clients.size === 0) this.byDevice.delete(principal.deviceId);
  }

  clientsOf(deviceId: string): Client[] {
    return [...(this.byDevice.get(deviceId) ?? [])];
  }

  isConnected(deviceId: string): boolean {
    return this.byDevice.has(deviceId);
  }

  connectedDevices(): string[] {
    return [...this.byDevice.keys()];
  }
}
