export enum ConfigExceptionCode {
  INVALID_ENVIRONMENT = 'INVALID_ENVIRONMENT',
}

/** Raised at boot when settings are invalid; `problems` names every bad variable. */
export class ConfigException extends Error {
  readonly code = ConfigExceptionCode.INVALID_ENVIRONMENT;

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigException';
  }
}
