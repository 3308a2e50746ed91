import type { Role } from '@iag/contracts';

/**
 * Who holds an MQTT session: a provisioned device (token or client certificate), an anonymous device
 * (only when explicitly allowed; known by its client id) or a backend service holding an API key.
 */
export type MqttPrincipal =
  | { kind: 'device'; deviceId: string; via: 'token' | 'certificate' }
  | { kind: 'anonymous'; deviceId: string }
  | { kind: 'service'; keyId: string; name: string; role: Role };

export type PrincipalKind = MqttPrincipal['kind'];

/** One key per identity: sessions of the same key belong together (client id ownership, revocation). */
export function principalKey(principal: MqttPrincipal): string {
  return principal.kind === 'service' ? serviceKey(principal.keyId) : deviceKey(principal.deviceId);
}

export const deviceKey = (deviceId: string) => `device:${deviceId}`;
export const serviceKey = (keyId: string) => `service:${keyId}`;

/** How a principal appears in logs: names and ids, never a secret. */
export function describePrincipal(principal: MqttPrincipal | undefined): string {
  if (!principal) return 'unidentified session';
  return principal.kind === 'service'
    ? `service key ${principal.name} (${principal.keyId})`
    : principal.deviceId;
}
