import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { errorBodySchema } from './response-schemas';

/** The OpenAPI 3.0 form of a zod schema: its input side for requests, its output side for responses. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io,
    target: 'openapi-3.0',
    unrepresentable: 'any',
  });
  return json as SchemaObject;
}

/** One documented query parameter per property of a (strict) query schema. */
export function ApiZodQuery(
  schema: z.ZodType,
  descriptions: Record<string, string> = {},
): MethodDecorator {
  const json = openApiSchema(schema, 'input');
  const required = new Set(json.required ?? []);
  const params = Object.entries(json.properties ?? {}).map(([name, property]) =>
    ApiQuery({
      name,
      required: required.has(name),
      schema: property as SchemaObject,
      description: descriptions[name],
    }),
  );
  return applyDecorators(...params);
}

export const ApiZodBody = (schema: z.ZodType): MethodDecorator =>
  applyDecorators(ApiBody({ schema: openApiSchema(schema, 'input') }));

export const ApiZodResponse = (
  status: HttpStatus,
  schema: z.ZodType,
  description: string,
): MethodDecorator =>
  applyDecorators(ApiResponse({ status, description, schema: openApiSchema(schema) }));

const ERROR_DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'A parameter is invalid; the message names each one',
  [HttpStatus.UNAUTHORIZED]: 'Missing or unknown API key',
  [HttpStatus.FORBIDDEN]: 'The API key role is too weak for this route',
  [HttpStatus.NOT_FOUND]: 'No such resource',
  [HttpStatus.CONFLICT]: 'The request conflicts with the current state',
  [HttpStatus.TOO_MANY_REQUESTS]:
    'Too many failed authentications from this address (Retry-After: seconds to wait), or too many open streams',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Storage is unavailable',
};

/** Documents the shared {statusCode, error, message} body for each status listed. */
export function ApiErrors(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  const schema = openApiSchema(errorBodySchema);
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status], schema }),
    ),
  );
}
