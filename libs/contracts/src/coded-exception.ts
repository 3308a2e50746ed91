/**
 * The base of every lib's one exception type: a string code from the lib's own enum, which each
 * caller maps to its own answer (a REST status, a CONNACK code, a CLI message), and never an
 * HttpException, since the libs also serve MQTT and the CLI. The name is the subclass's, so logs and
 * stack traces say which lib threw.
 */
export abstract class CodedException<Code extends string = string> extends Error {
  protected constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
