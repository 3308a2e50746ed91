/** Why a message or reading was refused; the `error` field on devices/{id}/errors and the counter label. */
export enum RejectionCode {
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  INVALID_UTF8 = 'INVALID_UTF8',
  INVALID_JSON = 'INVALID_JSON',
  INVALID_PAYLOAD = 'INVALID_PAYLOAD',
  EMPTY_BATCH = 'EMPTY_BATCH',
  TOO_MANY_READINGS = 'TOO_MANY_READINGS',
  NOT_AN_OBJECT = 'NOT_AN_OBJECT',
  NO_METRICS = 'NO_METRICS',
  /** More metrics in one reading than allowed, or a name past the device's limit of distinct names. */
  TOO_MANY_METRICS = 'TOO_MANY_METRICS',
  /** A name the device's profile does not declare (DEVICE_PROFILES). */
  UNDECLARED_METRIC = 'UNDECLARED_METRIC',
  INVALID_METRIC_NAME = 'INVALID_METRIC_NAME',
  INVALID_VALUE = 'INVALID_VALUE',
  INVALID_TIMESTAMP = 'INVALID_TIMESTAMP',
}

export interface Rejection {
  code: RejectionCode;
  detail: string;
  /** Index of the reading in an array payload; absent when the whole message was refused. */
  index?: number;
}

/** The JSON published on devices/{id}/errors (DESIGN.md). */
export interface ErrorNotice {
  error: RejectionCode;
  detail: string;
  index?: number;
  receivedAt: string;
}

/**
 * The per-device part of validation: whether a device may use a valid reading's metric names
 * (its limit of distinct names, or its profile's declared ones). Called once per valid reading,
 * in order; an admitted reading's new names count from then on.
 */
export interface MetricNameGate {
  /** null = admitted; else the rejection (TOO_MANY_METRICS or UNDECLARED_METRIC). */
  admit(values: Readonly<Record<string, number>>): Rejection | null;
}
