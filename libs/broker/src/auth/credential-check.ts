import type { TLSSocket } from 'node:tls';
import { isDeviceId } from '@iag/contracts';
import { BrokerExceptionCode, ConnackCode } from '../broker.exception';
import { DeviceCredentials, ServiceCredentials } from '../broker.constants';
import { certificateIdentity } from './client-certificate';
import { MqttPrincipal } from './mqtt-principal';

/** A service session's username: this prefix, then any label (the password is the API key). */
export const SERVICE_USERNAME_PREFIX = 'service:';
const MAX_PASSWORD_BYTES = 512;

export interface Refusal {
  reason: string;
  code: BrokerExceptionCode;
  returnCode: number;
  /** Counted by the throttle: a wrong secret or identity, not a protocol slip. */
  failure: boolean;
}

export type CheckOutcome = { principal: MqttPrincipal } | { refusal: Refusal };

const badCredentials: Refusal = {
  reason: 'bad_credentials',
  code: BrokerExceptionCode.BAD_CREDENTIALS,
  returnCode: ConnackCode.BAD_USERNAME_OR_PASSWORD,
  failure: true,
};
const refusal = (
  reason: string,
  returnCode: number,
  code = BrokerExceptionCode.NOT_AUTHORIZED,
) => ({
  refusal: { reason, code, returnCode, failure: true },
});

/**
 * Who a CONNECT is: a client certificate (CN = a provisioned device id) needs no password; username
 * `service:<label>` with an API key is a service; username = device id with its token is a device;
 * no credentials at all is an anonymous device, only when allowed.
 */
export class CredentialCheck {
  constructor(
    private readonly devices: DeviceCredentials,
    private readonly services: ServiceCredentials,
    private readonly allowAnonymous: boolean,
  ) {}

  /** The device a CONNECT claims to be, for the per-device throttle. */
  static claimedDevice(
    username: string | undefined,
    tls: TLSSocket | undefined,
  ): string | undefined {
    const cert = certificateIdentity(tls);
    if (cert.status === 'valid' && isDeviceId(cert.commonName)) return cert.commonName;
    return isDeviceId(username) ? username : undefined;
  }

  /** Provisioned and not revoked (what client id ownership asks). */
  isProvisioned(deviceId: string): boolean {
    return this.devices.exists(deviceId);
  }

  async check(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
    tls: TLSSocket | undefined,
  ): Promise<CheckOutcome> {
    const cert = certificateIdentity(tls);
    if (cert.status === 'invalid') return refusal('bad_certificate', ConnackCode.NOT_AUTHORIZED);
    if (cert.status === 'ambiguous')
      return refusal('several_common_names', ConnackCode.NOT_AUTHORIZED);
    if (cert.status === 'valid') return this.byCertificate(cert.commonName, username);
    if (username === undefined && password === undefined) return this.anonymous(clientId);
    if (!password || password.length === 0 || password.length > MAX_PASSWORD_BYTES) {
      return { refusal: badCredentials };
    }
    if (username?.startsWith(SERVICE_USERNAME_PREFIX)) return this.service(password);
    if (!isDeviceId(username)) return { refusal: badCredentials };
    const valid = await this.devices.verifyToken(username, password.toString('utf8'));
    return valid
      ? { principal: { kind: 'device', deviceId: username, via: 'token' } }
      : { refusal: badCredentials };
  }

  private byCertificate(commonName: string, username: string | undefined): CheckOutcome {
    if (!isDeviceId(commonName)) return refusal('bad_certificate', ConnackCode.NOT_AUTHORIZED);
    // A username, when given, must name the same device as the certificate.
    if (username !== undefined && username !== commonName) return { refusal: badCredentials };
    if (!this.devices.exists(commonName))
      return refusal('unknown_device', ConnackCode.NOT_AUTHORIZED);
    return { principal: { kind: 'device', deviceId: commonName, via: 'certificate' } };
  }

  private async service(password: Buffer): Promise<CheckOutcome> {
    const principal = await this.services.verify(password.toString('utf8'));
    if (!principal) return { refusal: badCredentials };
    return {
      principal: {
        kind: 'service',
        keyId: principal.keyId,
        name: principal.name,
        role: principal.role,
      },
    };
  }

  private anonymous(clientId: string): CheckOutcome {
    if (!this.allowAnonymous) return refusal('anonymous', ConnackCode.NOT_AUTHORIZED);
    // An anonymous device is known by its client id, which must then be a valid device id [MQTT-3.1.3-9].
    if (!isDeviceId(clientId)) {
      return refusal(
        'bad_client_id',
        ConnackCode.IDENTIFIER_REJECTED,
        BrokerExceptionCode.IDENTIFIER_REJECTED,
      );
    }
    return { principal: { kind: 'anonymous', deviceId: clientId } };
  }
}
