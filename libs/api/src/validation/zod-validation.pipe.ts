import { BadRequestException, Logger, PipeTransform } from '@nestjs/common';
import { describeIssues } from '@iag/contracts';
import { z } from 'zod';

/**
 * Parses a query or body with a contracts schema. Any failure is a 400 whose message names
 * every bad parameter; a throwing transform is reported too, so bad input never becomes a 500.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  private readonly logger = new Logger(ZodValidationPipe.name);

  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    let result: z.ZodSafeParseResult<z.output<S>>;
    try {
      // A POST without a body arrives as undefined: report the missing fields, not "expected object".
      result = this.schema.safeParse(value ?? {});
    } catch (error) {
      this.logger.warn(`validation threw: ${(error as Error).message}`);
      throw new BadRequestException('request: invalid parameters');
    }
    if (!result.success) throw new BadRequestException(describeIssues(result.error).join('; '));
    return result.data;
  }
}
