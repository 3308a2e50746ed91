import { CodedException } from '@iag/contracts';

export enum BrokerExceptionCode {
  LISTEN_FAILED = 'LISTEN_FAILED',
  INVALID_ACL = 'INVALID_ACL',
  INVALID_TLS_MATERIAL = 'INVALID_TLS_MATERIAL',
  TOPIC_FORBIDDEN = 'TOPIC_FORBIDDEN',
  SYS_TOPIC_RESERVED = 'SYS_TOPIC_RESERVED',
  /** MQTT-3.1.3-8: zero-byte client id with CleanSession=0. */
  IDENTIFIER_REJECTED = 'IDENTIFIER_REJECTED',
  BAD_CREDENTIALS = 'BAD_CREDENTIALS',
  NOT_AUTHORIZED = 'NOT_AUTHORIZED',
  /** A session asked for more topic filters than MQTT_MAX_SUBSCRIPTIONS. */
  TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS',
  /** QoS 2 publishes are not served (DESIGN.md: QoS 0 or 1). */
  QOS_NOT_SUPPORTED = 'QOS_NOT_SUPPORTED',
}

/** CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3). */
export const ConnackCode = {
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;

export class BrokerException extends CodedException<BrokerExceptionCode> {
  /** aedes reads `returnCode` off an authenticate error to pick the CONNACK code. */
  returnCode?: number;

  constructor(code: BrokerExceptionCode, message: string, returnCode?: number) {
    super(code, message);
    this.returnCode = returnCode;
  }
}
