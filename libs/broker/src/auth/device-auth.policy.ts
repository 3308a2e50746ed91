import { Logger } from '@nestjs/common';
import { isDeviceId } from '@iag/contracts';
import type { AuthenticateError, Client, ConnectPacket } from '../aedes.types';
import { BrokerException, BrokerExceptionCode, ConnackCode } from '../broker.exception';
import { DeviceCredentials } from '../broker.constants';
import { mqttConnectRefused } from '../broker.metrics';
import { SessionRegistry } from '../sessions/session-registry';

type Done = (error: AuthenticateError | null, success: boolean | null) => void;

/** CONNECT checks: client identifier rules, then username = device id and password = device token. */
export class DeviceAuthPolicy {
  private readonly logger = new Logger(DeviceAuthPolicy.name);
  /** Sessions whose CONNECT carried a zero-byte client id with CleanSession=0 (aedes would invent an id). */
  private readonly emptyPersistentIds = new WeakSet<Client>();

  constructor(
    private readonly credentials: DeviceCredentials,
    private readonly sessions: SessionRegistry,
    private readonly allowAnonymous: boolean,
  ) {}

  preConnect(
    client: Client,
    packet: ConnectPacket,
    done: (e: Error | null, ok: boolean) => void,
  ): void {
    if (!packet.clientId && packet.clean === false) this.emptyPersistentIds.add(client);
    done(null, true);
  }

  authenticate(
    client: Client,
    username: Readonly<string | undefined>,
    password: Readonly<Buffer | undefined>,
    done: Done,
  ): void {
    // MQTT-3.1.3-8: a zero-byte ClientId with CleanSession=0 gets CONNACK 0x02 and the connection is closed.
    if (this.emptyPersistentIds.has(client)) {
      return this.refuse(
        done,
        'empty_client_id',
        BrokerExceptionCode.IDENTIFIER_REJECTED,
        ConnackCode.IDENTIFIER_REJECTED,
      );
    }
    if (username === undefined && password === undefined) return this.anonymous(client, done);
    if (!isDeviceId(username) || !password || password.length === 0 || password.length > 512) {
      return this.refuse(
        done,
        'bad_credentials',
        BrokerExceptionCode.BAD_CREDENTIALS,
        ConnackCode.BAD_USERNAME_OR_PASSWORD,
      );
    }
    this.credentials.verifyToken(username, password.toString('utf8')).then(
      (valid) => {
        if (!valid) {
          return this.refuse(
            done,
            'bad_credentials',
            BrokerExceptionCode.BAD_CREDENTIALS,
            ConnackCode.BAD_USERNAME_OR_PASSWORD,
          );
        }
        this.sessions.identify(client, { kind: 'device', deviceId: username });
        done(null, true);
      },
      (error: unknown) => {
        this.logger.error(`credential check failed: ${(error as Error).message}`);
        this.refuse(
          done,
          'server_unavailable',
          BrokerExceptionCode.NOT_AUTHORIZED,
          ConnackCode.SERVER_UNAVAILABLE,
        );
      },
    );
  }

  private anonymous(client: Client, done: Done): void {
    if (!this.allowAnonymous) {
      return this.refuse(
        done,
        'anonymous',
        BrokerExceptionCode.NOT_AUTHORIZED,
        ConnackCode.NOT_AUTHORIZED,
      );
    }
    // An anonymous device is known by its client id, which must then be a valid device id.
    if (!isDeviceId(client.id)) {
      return this.refuse(
        done,
        'bad_client_id',
        BrokerExceptionCode.IDENTIFIER_REJECTED,
        ConnackCode.IDENTIFIER_REJECTED,
      );
    }
    this.sessions.identify(client, { kind: 'anonymous', deviceId: client.id });
    done(null, true);
  }

  private refuse(done: Done, reason: string, code: BrokerExceptionCode, returnCode: number): void {
    mqttConnectRefused.inc({ reason });
    done(
      new BrokerException(code, `connection refused: ${reason}`, returnCode) as AuthenticateError,
      false,
    );
  }
}
