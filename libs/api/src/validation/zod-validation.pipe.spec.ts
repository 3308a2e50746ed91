import { BadRequestException, Logger } from '@nestjs/common';
import { anomaliesQuerySchema, createDeviceSchema, telemetryQuerySchema } from '@iag/contracts';
import { ZodValidationPipe } from './zod-validation.pipe';
import { z } from 'zod';
import fc from 'fast-check';

function rejection(pipe: ZodValidationPipe<z.ZodType>, value: unknown): BadRequestException {
  try {
    pipe.transform(value);
  } catch (error) {
    if (error instanceof BadRequestException) return error;
    throw error;
  }
  throw new Error('expected a BadRequestException');
}

describe(ZodValidationPipe.name, () => {
  it('returns the parsed output with defaults and transforms applied', () => {
    const query = new ZodValidationPipe(anomaliesQuerySchema).transform({
      from: '1000',
      minScore: '1.5',
    });
    expect(query).toEqual({ from: 1000, minScore: 1.5, limit: 50 });
  });

  it('answers 400 naming every bad parameter at once', () => {
    const error = rejection(new ZodValidationPipe(anomaliesQuerySchema), {
      limit: 'ten',
      from: 'yesterday',
      status: 'x',
    });
    expect(error.getStatus()).toBe(400);
    const message = (error.getResponse() as { message: string }).message;
    expect(typeof message).toBe('string');
    for (const name of ['limit:', 'from:', 'status:']) expect(message).toContain(name);
  });

  it('refuses unknown parameters by name', () => {
    const error = rejection(new ZodValidationPipe(anomaliesQuerySchema), {
      limit: '5',
      foo: '1',
      bar: '2',
    });
    const message = (error.getResponse() as { message: string }).message;
    expect(message).toContain('foo');
    expect(message).toContain('bar');
  });

  it('names cross-field problems on the field at fault', () => {
    const error = rejection(new ZodValidationPipe(telemetryQuerySchema), {
      from: '2000',
      to: '1000',
    });
    expect((error.getResponse() as { message: string }).message).toContain('to:');
  });

  it('treats a missing body as empty and names the required fields', () => {
    const error = rejection(new ZodValidationPipe(createDeviceSchema), undefined);
    expect((error.getResponse() as { message: string }).message).toContain('id:');
  });

  it('refuses arrays and non-objects with a 400, not a 500', () => {
    expect(rejection(new ZodValidationPipe(createDeviceSchema), ['x']).getStatus()).toBe(400);
    expect(rejection(new ZodValidationPipe(createDeviceSchema), 'text').getStatus()).toBe(400);
  });

  it('turns a throwing transform into a 400', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const exploding = z.object({
      a: z.string().transform(() => {
        throw new Error('boom');
      }),
    });
    const error = rejection(new ZodValidationPipe(exploding), { a: 'x' });
    expect(error.getStatus()).toBe(400);
    expect((error.getResponse() as { message: string }).message).not.toContain('boom');
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('accepts query objects without a prototype (as Fastify builds them)', () => {
    const query = Object.assign(Object.create(null) as object, { deviceId: 'dev-1', limit: '2' });
    expect(new ZodValidationPipe(anomaliesQuerySchema).transform(query)).toEqual({
      deviceId: 'dev-1',
      limit: 2,
    });
  });

  it('answers any query or body with a value or a 400, never another error', () => {
    const pipes = [anomaliesQuerySchema, telemetryQuerySchema, createDeviceSchema].map(
      (schema) => new ZodValidationPipe(schema as z.ZodType),
    );
    const anything = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(undefined, null),
    );
    fc.assert(
      fc.property(anything, fc.nat({ max: pipes.length - 1 }), (value, i) => {
        try {
          pipes[i].transform(value);
          return true;
        } catch (error) {
          return error instanceof BadRequestException && error.getStatus() === 400;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
