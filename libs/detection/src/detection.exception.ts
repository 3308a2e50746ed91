import { CodedException } from '@iag/contracts';

export enum DetectionExceptionCode {
  /** A detector or tracker was built with settings it cannot work with. */
  INVALID_OPTIONS = 'INVALID_OPTIONS',
  /** A detector's scoreBatch rejected; its readings are counted as unscored. */
  DETECTOR_FAILED = 'DETECTOR_FAILED',
  /** A detector returned a different number of results than windows it was given. */
  SCORE_COUNT_MISMATCH = 'SCORE_COUNT_MISMATCH',
  /** No such model name/version in the registry. */
  MODEL_NOT_FOUND = 'MODEL_NOT_FOUND',
  /** A model artifact that cannot serve: bad JSON, missing weights, shapes not matching its features. */
  INVALID_MODEL = 'INVALID_MODEL',
  /** No TF.js backend could be initialised. */
  BACKEND_UNAVAILABLE = 'BACKEND_UNAVAILABLE',
}

/** The one error type of libs/detection; never an HttpException (detection also serves MQTT and the CLI). */
export class DetectionException extends CodedException<DetectionExceptionCode> {
  constructor(code: DetectionExceptionCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
