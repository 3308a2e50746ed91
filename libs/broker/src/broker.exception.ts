export enum BrokerExceptionCode {
  LISTEN_FAILED = 'LISTEN_FAILED',
  UNSUPPORTED_ACL = 'UNSUPPORTED_ACL',
  TOPIC_FORBIDDEN = 'TOPIC_FORBIDDEN',
  SYS_TOPIC_RESERVED = 'SYS_TOPIC_RESERVED',
  /** MQTT-3.1.3-8: zero-byte client id with CleanSession=0. */
  IDENTIFIER_REJECTED = 'IDENTIFIER_REJECTED',
  BAD_CREDENTIALS = 'BAD_CREDENTIALS',
  NOT_AUTHORIZED = 'NOT_AUTHORIZED',
}

/** CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3). */
export const ConnackCode = {
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;

export class BrokerException extends Error {
  /** aedes reads `returnCode` off an authenticate error to pick the CONNACK code. */
  returnCode?: number;

  constructor(
    readonly code: BrokerExceptionCode,
    message: string,
    returnCode?: number,
  ) {
    super(message);
    this.name = 'BrokerException';
    this.returnCode = returnCode;
  }
}
