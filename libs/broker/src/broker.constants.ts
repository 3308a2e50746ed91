import { ErrorNotice, Principal } from '@iag/contracts';

/** Port: where the broker hands telemetry. aedes waits on it before the QoS1 PUBACK, so a slow store slows intake. */
export const TELEMETRY_SINK = Symbol('TELEMETRY_SINK');
/** Port: checks a device's MQTT password (its token) and whether a device id is provisioned. */
export const DEVICE_CREDENTIALS = Symbol('DEVICE_CREDENTIALS');
/** Port: resolves an API key used as an MQTT password (service sessions) to its principal. */
export const SERVICE_CREDENTIALS = Symbol('SERVICE_CREDENTIALS');

export interface TelemetrySinkResult {
  /** Readings now owned by the gateway (durably spooled). */
  accepted: number;
  /** Valid readings turned away because the spool was full (QoS 0 only); counted, never silent. */
  dropped: number;
  /** One notice per rejected reading (or one for the whole message), published on devices/{id}/errors. */
  notices: ErrorNotice[];
}

export interface TelemetrySink {
  /**
   * Resolves once the accepted readings are safe to acknowledge (durable). With QoS 1 it waits
   * while the spool is full; with QoS 0 it drops instead. Rejects when nothing may be acknowledged.
   */
  accept(
    deviceId: string,
    payload: Buffer,
    receivedAt: number,
    qos: 0 | 1,
  ): Promise<TelemetrySinkResult>;
}

export interface DeviceCredentials {
  verifyToken(deviceId: string, token: string): Promise<boolean>;
  /** Provisioned and not revoked: what a client certificate's common name must name. */
  exists(deviceId: string): boolean;
}

export interface ServiceCredentials {
  /** The key's principal, or null for an unknown or revoked key. */
  verify(key: string): Promise<Principal | null>;
}
