import { CodedException } from '@iag/contracts';

export enum StorageExceptionCode {
  NOT_FOUND = 'NOT_FOUND',
  DEVICE_EXISTS = 'DEVICE_EXISTS',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  INVALID_CURSOR = 'INVALID_CURSOR',
  INFLUX_UNAVAILABLE = 'INFLUX_UNAVAILABLE',
  INFLUXD_START_FAILED = 'INFLUXD_START_FAILED',
  REGISTRY_UNAVAILABLE = 'REGISTRY_UNAVAILABLE',
  SPOOL_UNAVAILABLE = 'SPOOL_UNAVAILABLE',
  INVALID_PROFILES = 'INVALID_PROFILES',
  INFLUX_CREDENTIALS = 'INFLUX_CREDENTIALS',
  DATA_DIR_UNSAFE = 'DATA_DIR_UNSAFE',
}

/** The one error this lib throws; callers (REST, MQTT, CLI) map `code` to their own answers. */
export class StorageException extends CodedException<StorageExceptionCode> {
  constructor(code: StorageExceptionCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
