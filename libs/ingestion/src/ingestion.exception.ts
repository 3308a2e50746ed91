import { CodedException } from '@iag/contracts';

export enum IngestionExceptionCode {
  /** The gateway is shutting down: nothing new is acknowledged. */
  SHUTTING_DOWN = 'SHUTTING_DOWN',
}

/** The one error this lib throws; the broker answers it by closing the session without a PUBACK. */
export class IngestionException extends CodedException<IngestionExceptionCode> {
  constructor(code: IngestionExceptionCode, message: string) {
    super(code, message);
  }
}
