import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { errorBodySchema, restRequestSchemas, restResponseSchemas } from '@iag/contracts';
import { z } from 'zod';
import { refTo } from './rest-components';

/** The OpenAPI 3.0 form of a zod schema, inlined: its input side for requests, its output side for responses. */
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
  const params = Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as SchemaObject;
    return ApiQuery({
      name,
      required: required.has(name),
      schema: rest,
      description: descriptions[name] ?? description,
    });
  });
  return applyDecorators(...params);
}

/** A request body: a schema named in libs/contracts (requestShape). */
export const ApiZodBody = (schema: z.ZodType): MethodDecorator =>
  applyDecorators(ApiBody({ schema: refTo(restRequestSchemas, schema) }));

/** A response: a schema named in libs/contracts (responseShape), or an array of one. */
export function ApiZodResponse(
  status: HttpStatus,
  schema: z.ZodType,
  description: string,
): MethodDecorator {
  const body =
    schema instanceof z.ZodArray
      ? { type: 'array' as const, items: refTo(restResponseSchemas, schema.element as z.ZodType) }
      : refTo(restResponseSchemas, schema);
  return applyDecorators(ApiResponse({ status, description, schema: body }));
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]:
    'A parameter or the body is invalid (or is not JSON); the message names each bad one',
  [HttpStatus.UNAUTHORIZED]: 'Missing or unknown API key',
  [HttpStatus.FORBIDDEN]: 'The API key role is too weak for this route',
  [HttpStatus.NOT_FOUND]: 'No such resource',
  [HttpStatus.CONFLICT]: 'The request conflicts with the current state',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'The body is over HTTP_BODY_LIMIT_BYTES',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'A body that is not application/json',
  [HttpStatus.UNPROCESSABLE_ENTITY]:
    'The model is invalid (its files, metadata or weights); the active version stays',
  [HttpStatus.TOO_MANY_REQUESTS]:
    'Too many failed authentications from this address (Retry-After: seconds to wait), or too many open streams',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Storage is unavailable, or the gateway is shutting down',
};

/** Documents the shared {statusCode, error, message} body for each status listed. */
export function ApiErrors(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  const schema = refTo(restResponseSchemas, errorBodySchema);
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status], schema }),
    ),
  );
}

/** What any request with a body can be refused for before the route sees it (Fastify's parser). */
export const ApiBodyErrors = (): MethodDecorator =>
  ApiErrors(
    HttpStatus.BAD_REQUEST,
    HttpStatus.PAYLOAD_TOO_LARGE,
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  );
