import { CodedException } from '@iag/contracts';

export enum ConfigExceptionCode {
  INVALID_ENVIRONMENT = 'INVALID_ENVIRONMENT',
}

/** Raised at boot when settings are invalid; `problems` names every bad variable. */
export class ConfigException extends CodedException<ConfigExceptionCode> {
  constructor(readonly problems: string[]) {
    super(
      ConfigExceptionCode.INVALID_ENVIRONMENT,
      `Invalid configuration:\n  - ${problems.join('\n  - ')}`,
    );
  }
}
