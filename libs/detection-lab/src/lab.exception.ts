import { CodedException } from '@iag/contracts';

export enum LabExceptionCode {
  /** Training or evaluation was asked for with settings or data it cannot work with. */
  INVALID_OPTIONS = 'INVALID_OPTIONS',
}

/** The one error type of libs/detection-lab (training, evaluation, backtests); the trainer prints it as one line. */
export class LabException extends CodedException<LabExceptionCode> {
  constructor(code: LabExceptionCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
